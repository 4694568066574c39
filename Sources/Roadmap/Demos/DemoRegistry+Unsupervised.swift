import Foundation
import Tensors
import Learn
import Datasets
import Plot

extension DemoRegistry {
    /// Demos for clustering and dimensionality reduction.
    public static let unsupervised: [Demo] = [
        Demo("k-means", "k-means: the elbow and the silhouette",
             shows: "k-means on standardized iris for k = 2…8: inertia (elbow) and silhouette score, and agreement with the species at k = 3.") { ctx in
            let iris = try Datasets.load(.iris)
            let x = try StandardScaler().fitTransform(iris.features)
            let ks = Array(2...8)
            var inertia: [Double] = [], silhouette: [Double] = []
            for k in ks {
                let km = KMeans(nClusters: k, nInit: 10, randomState: ctx.randomState)
                let labels = try km.fitPredict(x)
                inertia.append(km.inertia)
                silhouette.append(try ClusterMetrics.silhouetteScore(x, labels))
            }
            let three = try KMeans(nClusters: 3, nInit: 10, randomState: ctx.randomState).fitPredict(x)
            let ari = try ClusterMetrics.adjustedRandIndex(iris.labels, three)
            let bestK = ks[silhouette.firstIndex(of: silhouette.max()!)!]
            return DemoOutcome(passed: ari >= 0.55 && inertia.first! > inertia.last!,
                               result: "silhouette is highest at k = \(bestK) (\(f(silhouette.max()!))); at k = 3 the clusters match the species with ARI \(f(ari))",
                               metrics: [("ari_k3", ari), ("best_silhouette_k", Double(bestK))],
                               figures: [DemoFigure("elbow", LineChart(title: "k-means on iris: inertia vs k (elbow)", xLabel: "k", yLabel: "inertia", series: [ChartSeries(name: "inertia", x: ks.map(Double.init), y: inertia)], showMarkers: true), caption: "The bend suggests 2–3 clusters."),
                                         DemoFigure("silhouette", LineChart(title: "k-means on iris: silhouette vs k", xLabel: "k", yLabel: "silhouette", series: [ChartSeries(name: "silhouette", x: ks.map(Double.init), y: silhouette)], showMarkers: true), caption: "Setosa separates cleanly; the other two touch.")])
        },
        Demo("hierarchical-clustering", "Agglomerative clustering: four linkages",
             shows: "Ward, complete, average and single linkage on standardized iris, scored against the species.") { _ in
            let iris = try Datasets.load(.iris)
            let x = try StandardScaler().fitTransform(iris.features)
            let linkages = ["ward", "complete", "average", "single"]
            var aris: [Double] = []
            for l in linkages { aris.append(try ClusterMetrics.adjustedRandIndex(iris.labels, try AgglomerativeClustering(nClusters: 3, linkage: l).fitPredict(x))) }
            return DemoOutcome(passed: aris[0] >= 0.55 && aris[0] > aris[3],
                               result: zip(linkages, aris).map { "\($0): ARI \(f($1))" }.joined(separator: ", "),
                               metrics: zip(linkages, aris).map { (name: "ari_\($0)", value: $1) },
                               figures: [DemoFigure("linkages", BarChart(title: "Agglomerative clustering of iris (ARI vs species)", categories: linkages, values: aris), caption: "Single linkage chains clusters together; Ward does best here.")])
        },
        Demo("dbscan", "DBSCAN: density, eps and noise",
             shows: "DBSCAN on standardized iris for a range of eps: the number of clusters and of noise points.") { _ in
            let iris = try Datasets.load(.iris)
            let x = try StandardScaler().fitTransform(iris.features)
            let epsValues = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2]
            var clusters: [Double] = [], noise: [Double] = []
            for eps in epsValues {
                let labels = try DBSCAN(eps: eps, minSamples: 5).fitPredict(x)
                clusters.append(Double(Set(labels.filter { $0 >= 0 }).count))
                noise.append(Double(labels.filter { $0 == -1 }.count))
            }
            return DemoOutcome(passed: noise.first! > noise.last!,
                               result: zip(epsValues, zip(clusters, noise)).map { "eps \($0): \(Int($1.0)) clusters, \(Int($1.1)) noise" }.joined(separator: "\n"),
                               metrics: [("noise_at_eps_0.5", noise[2])],
                               figures: [DemoFigure("eps", LineChart(title: "DBSCAN on iris: noise points vs eps", xLabel: "eps", yLabel: "points", series: [ChartSeries(name: "noise", x: epsValues, y: noise), ChartSeries(name: "clusters × 10", x: epsValues, y: clusters.map { $0 * 10 })], showMarkers: true), caption: "Small eps calls everything noise; large eps merges clusters.")])
        },
        Demo("gaussian-mixtures", "Gaussian mixtures and BIC",
             shows: "Gaussian mixtures with 1…6 components on standardized iris; BIC picks the number of components.") { ctx in
            let iris = try Datasets.load(.iris)
            let x = try StandardScaler().fitTransform(iris.features)
            let ns = Array(1...6)
            var bics: [Double] = []
            for n in ns {
                let g = GaussianMixture(nComponents: n, randomState: ctx.randomState)
                try g.fit(x)
                bics.append(try g.bic(x))
            }
            let gmm = GaussianMixture(nComponents: 3, randomState: ctx.randomState)
            try gmm.fit(x)
            let ari = try ClusterMetrics.adjustedRandIndex(iris.labels, gmm.labels)
            let best = ns[bics.firstIndex(of: bics.min()!)!]
            return DemoOutcome(passed: ari >= 0.5 && best >= 2,
                               result: "lowest BIC at \(best) components; 3-component mixture vs species ARI \(f(ari))",
                               metrics: [("best_components", Double(best)), ("ari_3", ari)],
                               figures: [DemoFigure("bic", LineChart(title: "Gaussian mixture on iris: BIC vs components", xLabel: "components", yLabel: "BIC", series: [ChartSeries(name: "BIC", x: ns.map(Double.init), y: bics)], showMarkers: true), caption: "Lower is better: fit rewarded, parameters penalised.")])
        },
        Demo("pca", "Principal component analysis of handwritten digits",
             shows: "PCA on the 64 pixels of 1,797 digits: cumulative explained variance, and the digits on the first two components.") { _ in
            let digits = try Datasets.load(.digits)
            let pca = PCA(nComponents: 30)
            let z = try pca.fitTransform(digits.features)
            var cumulative: [Double] = []
            for r in pca.explainedVarianceRatio { cumulative.append((cumulative.last ?? 0) + r) }
            let series = (0..<10).map { c -> ChartSeries in
                let idx = (0..<digits.count).filter { digits.labels[$0] == c }
                return ChartSeries(name: "\(c)", x: idx.map { z[$0, 0] }, y: idx.map { z[$0, 1] })
            }
            return DemoOutcome(passed: cumulative[9] > 0.7 && cumulative.last! < 1.0001,
                               result: "10 components keep \(pct(cumulative[9])) of the variance, 30 keep \(pct(cumulative.last!)); the first two: \(pct(cumulative[1]))",
                               metrics: [("variance_10", cumulative[9]), ("variance_30", cumulative.last!)],
                               figures: [DemoFigure("explained-variance", LineChart(title: "Digits: cumulative explained variance", xLabel: "components", yLabel: "fraction", series: [ChartSeries(name: "cumulative", x: steps(30, from: 1), y: cumulative)], showMarkers: true), caption: "A few directions hold most of the variation."),
                                         DemoFigure("projection", ScatterChart(title: "Digits on the first two principal components", xLabel: "PC 1", yLabel: "PC 2", series: series, markerSize: 2.5), caption: "Some digits already separate in 2-D.")])
        },
        Demo("t-sne", "t-SNE map of handwritten digits",
             shows: "t-SNE of 400 digits into 2-D; trustworthiness measures how well neighbourhoods survive.") { ctx in
            let digits = try Datasets.load(.digits)
            let sample = Array(0..<400)
            let x = digits.features.rows(sample)
            let tsne = TSNE(perplexity: 30, maxIter: 500, randomState: ctx.randomState)
            let y = try tsne.fitTransform(x)
            let trust = try ClusterMetrics.trustworthiness(x, y, neighbors: 5)
            let series = (0..<10).map { c -> ChartSeries in
                let idx = sample.filter { digits.labels[$0] == c }
                return ChartSeries(name: "\(c)", x: idx.map { y[$0, 0] }, y: idx.map { y[$0, 1] })
            }
            return DemoOutcome(passed: trust >= 0.9, result: "trustworthiness (5 neighbours) \(f(trust, 4)) after \(tsne.nIterations) iterations",
                               metrics: [("trustworthiness", trust)],
                               figures: [DemoFigure("map", ScatterChart(title: "t-SNE of 400 digits", xLabel: "t-SNE 1", yLabel: "t-SNE 2", series: series, markerSize: 3), caption: "Ten islands, one per digit; distances between islands mean little.")])
        },
    ]
}

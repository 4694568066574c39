import Foundation

extension CurriculumPhase {
    /// Phase 8: models that generate data: autoencoders, VAEs, GANs, diffusion and flows.
    public static let generativeModels = CurriculumPhase(
        id: "generative", title: "Generative models",
        goal: "Understand and train the model families that generate images and other data.",
        units: [
            unit("generative-models", "Generative model families", [
                topic("autoencoders", "Autoencoders", hours: 3, after: ["training-loops"],
                      "Compress and reconstruct: encoders, bottlenecks and decoders."),
                topic("vae", "Variational autoencoders", hours: 5, after: ["autoencoders", "probability-distributions"],
                      "A probabilistic latent space trained with reconstruction loss plus KL divergence; the reparameterisation trick."),
                topic("gan", "Generative adversarial networks", hours: 6, after: ["convolution-pooling"],
                      "A generator and a discriminator trained against each other; DCGAN, conditional GANs and stabilising tricks."),
                topic("stylegan", "StyleGAN and pretrained generators", hours: 3, after: ["gan"],
                      "Style-based generators and latent-space interpolation with pretrained weights."),
                topic("diffusion-models", "Diffusion models (DDPM)", hours: 8, after: ["vae"],
                      "Learning to undo gradual noise: the forward process, noise schedules, the denoising network and sampling."),
                topic("latent-diffusion", "Latent diffusion and Stable Diffusion", hours: 6, after: ["diffusion-models", "transformer-architecture"],
                      "Diffusion in a VAE's latent space with text conditioning; ControlNet, LoRA and textual inversion for customisation."),
                topic("normalizing-flows", "Normalising flows", hours: 4, after: ["vae"],
                      "Invertible transformations with exact likelihoods (RealNVP, Glow)."),
            ]),
            unit("generative-projects", "Generative projects", [
                topic("project-gan-generator", "Project: an image generator with a GAN", hours: 32, after: ["gan"],
                      "Train a conditional GAN, interpolate in latent space and build an interactive demo."),
                topic("project-custom-diffusion", "Project: a customised Stable Diffusion", hours: 32, after: ["latent-diffusion", "lora-qlora"],
                      "Fine-tune with LoRA and textual inversion on your own images."),
            ]),
        ])

    /// Phase 9: reinforcement learning from MDPs to deep actor–critic methods.
    public static let reinforcementLearning = CurriculumPhase(
        id: "reinforcement-learning", title: "Reinforcement learning",
        goal: "Learn to act from rewards: tabular methods, deep Q-learning, policy gradients and beyond.",
        units: [
            unit("rl-foundations", "Foundations", [
                topic("mdp", "Markov decision processes", hours: 4, after: ["probability-distributions"],
                      "States, actions, transitions, rewards and discounting.",
                      code: ["RL.TabularMDP", "RL.TabularEnvironment", "RL.FrozenLake"], demo: true, checkpoints: ["rl-value-iteration"]),
                topic("bellman-equations", "Bellman equations: values, Q-functions and advantages", hours: 3, after: ["mdp"],
                      "The recursive definitions every RL algorithm approximates.",
                      code: ["RL.DynamicProgramming"], demo: true, checkpoints: ["rl-value-iteration"]),
                topic("exploration-exploitation", "Exploration versus exploitation", hours: 2, after: ["mdp"],
                      "ε-greedy and softmax policies, bandits and optimism.",
                      code: ["RL.Bandits", "RL.BanditStrategy", "RL.MultiArmedBandit"], demo: true),
                topic("dynamic-programming", "Policy evaluation, policy iteration and value iteration", hours: 4, after: ["bellman-equations"],
                      "Solving a known MDP exactly.",
                      code: ["RL.DynamicProgramming"], demo: true, checkpoints: ["rl-value-iteration"]),
            ]),
            unit("rl-core", "Core algorithms", [
                topic("monte-carlo-rl", "Monte Carlo methods", hours: 3, after: ["dynamic-programming"],
                      "Learning values from complete episodes (first-visit and every-visit).",
                      code: ["RL.TabularAgent", "RL.TabularMethod", "RL.Prediction.monteCarlo"], demo: true),
                topic("temporal-difference", "Temporal-difference learning", hours: 3, after: ["monte-carlo-rl"],
                      "Bootstrapped updates: TD(0) and TD(λ).",
                      code: ["RL.Prediction.temporalDifference", "RL.TabularAgent", "RL.TabularMethod"], demo: true, checkpoints: ["rl-frozenlake-q-learning"]),
                topic("q-learning", "SARSA and Q-learning", hours: 4, after: ["temporal-difference", "exploration-exploitation"],
                      "On- and off-policy tabular control, for example on FrozenLake.",
                      code: ["RL.TabularAgent", "RL.TabularConfig"], demo: true, checkpoints: ["rl-frozenlake-q-learning"]),
                topic("dqn", "Deep Q-networks", hours: 6, after: ["q-learning", "training-loops"],
                      "Q-learning with a network, experience replay and a target network; double, dueling and prioritised variants."),
                topic("policy-gradients", "Policy gradients (REINFORCE)", hours: 4, after: ["bellman-equations", "backpropagation"],
                      "Optimising the policy directly from sampled returns."),
                topic("actor-critic", "Actor–critic methods (A2C, A3C)", hours: 4, after: ["policy-gradients"],
                      "A learned value function as a baseline for the policy gradient, in parallel workers."),
                topic("ppo-trpo", "Trust-region methods: TRPO, PPO and GRPO", hours: 5, after: ["actor-critic"],
                      "Keeping each policy update small, the workhorse of modern deep RL and RLHF."),
                topic("continuous-control", "Continuous control: DDPG, TD3 and SAC", hours: 5, after: ["actor-critic", "dqn"],
                      "Deterministic and entropy-regularised actor–critics for continuous actions."),
            ]),
            unit("rl-advanced", "Advanced reinforcement learning", [
                topic("model-based-rl", "Planning and model-based RL", hours: 5, after: ["q-learning"],
                      "Dyna-Q, learned world models (Dreamer) and search with a model (MuZero).",
                      code: ["RL.TabularAgent"], demo: true),
                topic("hierarchical-rl", "Hierarchical RL", hours: 3, after: ["actor-critic"],
                      "Options and sub-policies for long tasks."),
                topic("meta-rl", "Meta-RL", hours: 3, after: ["actor-critic"],
                      "Learning to adapt quickly to new tasks (MAML, RL²)."),
                topic("multi-agent-rl", "Multi-agent RL", hours: 4, after: ["actor-critic"],
                      "Several learners at once: MADDPG, QMIX and non-stationarity."),
                topic("offline-rl", "Offline RL", hours: 3, after: ["dqn"],
                      "Learning from a fixed log of experience (conservative Q-learning)."),
                topic("imitation-learning", "Imitation learning", hours: 3, after: ["policy-gradients"],
                      "Behaviour cloning and adversarial imitation (GAIL)."),
            ]),
            unit("rl-practice", "Practice", [
                topic("rl-environments", "Environments: Gym/Gymnasium and custom ones", hours: 4, after: ["mdp"],
                      "Spaces, wrappers and vectorised environments; writing your own.",
                      code: ["RL.Environment", "RL.Environments", "RL.Space", "RL.SyncVectorEnvironment", "RL.EnvironmentWrapper", "RL.NumPyGenerator"], demo: true),
                topic("rl-libraries", "RL libraries and experiment logging", hours: 3, after: ["ppo-trpo", "rl-environments"],
                      "Stable-Baselines3 for comparison, and logging runs to dashboards."),
                topic("project-game-agent", "Project: a game-playing agent", hours: 32, after: ["dqn", "ppo-trpo", "rl-environments"],
                      "A custom environment, a DQN agent, PPO for comparison and plots of learning progress."),
            ]),
        ])
}

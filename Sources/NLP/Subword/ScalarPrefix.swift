extension String {
    /// The rest of the string after `prefix`, compared byte by byte in UTF-8, or `nil` when it
    /// does not start with `prefix` (or `prefix` is empty).
    ///
    /// Subword markers such as WordPiece's `##` must be compared this way, not with `hasPrefix`:
    /// Swift compares `Character`s (grapheme clusters), and in `"##ा"` the second `#` and the
    /// combining vowel sign form one cluster, so `"##ा".hasPrefix("##")` is false and
    /// `dropFirst(2)` would remove the sign too.
    func removingSubwordPrefix(_ prefix: String) -> String? {
        guard !prefix.isEmpty, utf8.count >= prefix.utf8.count, utf8.starts(with: prefix.utf8) else { return nil }
        return String(decoding: utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}

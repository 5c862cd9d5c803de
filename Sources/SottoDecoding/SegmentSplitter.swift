import SottoAudio

/// Cuts one window's tokens into timed segments at consecutive timestamp pairs and says where
/// the next window starts (faster-whisper's `_split_segments_by_timestamps`).
package struct SegmentSplitter {
    let timestampBegin: Int

    package init(timestampBegin: Int) { self.timestampBegin = timestampBegin }

    package struct Piece: Equatable {
        package var start: Double
        package var end: Double
        package var tokens: [Int]

        package init(start: Double, end: Double, tokens: [Int]) {
            self.start = start
            self.end = end
            self.tokens = tokens
        }
    }

    package struct Split: Equatable {
        package var pieces: [Piece]
        /// Frame where the next window starts.
        package var nextSeekFrames: Int
        /// The window ended on a lone timestamp: no speech after it (word timing keeps the seek then).
        package var singleTimestampEnding = false
    }

    package func split(tokens: [Int], seekFrames: Int, segmentFrames: Int) -> Split {
        let timeOffset = Double(seekFrames) * AudioTiming.secondsPerFrame
        let isTimestamp = { (token: Int) in token >= timestampBegin }
        let singleTimestampEnding = tokens.count >= 2
            && !isTimestamp(tokens[tokens.count - 2]) && isTimestamp(tokens[tokens.count - 1])
        let consecutive = tokens.indices.filter { $0 > 0 && isTimestamp(tokens[$0]) && isTimestamp(tokens[$0 - 1]) }

        guard !consecutive.isEmpty else {
            // No closed segment: the whole window is one segment, ending at its last timestamp if any.
            var duration = Double(segmentFrames) * AudioTiming.secondsPerFrame
            if let last = tokens.last(where: isTimestamp), last != timestampBegin {
                duration = seconds(last)
            }
            return Split(pieces: [Piece(start: timeOffset, end: timeOffset + duration, tokens: tokens)],
                         nextSeekFrames: seekFrames + segmentFrames, singleTimestampEnding: singleTimestampEnding)
        }
        var slices = consecutive
        if singleTimestampEnding { slices.append(tokens.count) }
        var pieces: [Piece] = []
        var lastSlice = 0
        for slice in slices {
            let sliced = Array(tokens[lastSlice..<slice])
            pieces.append(Piece(start: timeOffset + seconds(sliced.first!),
                                end: timeOffset + seconds(sliced.last!), tokens: sliced))
            lastSlice = slice
        }
        if singleTimestampEnding {
            // A lone timestamp at the end means no speech after it: take the whole window.
            return Split(pieces: pieces, nextSeekFrames: seekFrames + segmentFrames, singleTimestampEnding: true)
        }
        // Drop the unfinished tail and start the next window at the last closed timestamp.
        let lastTimestampIndex = tokens[lastSlice - 1] - timestampBegin
        return Split(pieces: pieces,
                     nextSeekFrames: seekFrames + lastTimestampIndex * AudioTiming.framesPerTimestampToken)
    }

    private func seconds(_ timestampToken: Int) -> Double {
        Double(timestampToken - timestampBegin) * AudioTiming.secondsPerTimestampToken
    }
}

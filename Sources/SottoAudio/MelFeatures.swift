/// A log-mel spectrogram: `nMels` rows of `nFrames` values, one frame per 10 ms.
public struct MelFeatures: Sendable {
    public let nMels: Int
    public let nFrames: Int
    /// Row-major [nMels, nFrames].
    public var values: [Float]

    public init(nMels: Int, nFrames: Int, values: [Float]) {
        precondition(values.count == nMels * nFrames, "values must hold nMels * nFrames entries")
        self.nMels = nMels
        self.nFrames = nFrames
        self.values = values
    }

    /// Frames [startFrame, startFrame + count) as row-major [nMels, count]; frames outside
    /// [0, nFrames) are zeros, as Whisper's `pad_or_trim` pads a mel segment.
    public func window(startFrame: Int, count: Int = AudioTiming.framesPerChunk) -> [Float] {
        precondition(count >= 0, "window count must not be negative")
        var out = [Float](repeating: 0, count: nMels * count)
        let first = max(startFrame, 0)
        let end = min(startFrame + count, nFrames)
        guard first < end else { return out }
        for mel in 0..<nMels {
            let source = mel * nFrames
            let destination = mel * count - startFrame
            for frame in first..<end {
                out[destination + frame] = values[source + frame]
            }
        }
        return out
    }

    /// `frames` frames from `startFrame`, zero-padded after them to `count` frames `[nMels, count]`:
    /// one encoder window by default (Whisper's `pad_or_trim` of a segment's mel).
    public func paddedWindow(startFrame: Int, frames: Int, count chunk: Int = AudioTiming.framesPerChunk) -> [Float] {
        let content = window(startFrame: startFrame, count: min(max(frames, 0), chunk))
        let count = content.count / max(nMels, 1)
        var padded = [Float](repeating: 0, count: nMels * chunk)
        for mel in 0..<nMels {
            for frame in 0..<count { padded[mel * chunk + frame] = content[mel * count + frame] }
        }
        return padded
    }

    public var durationSeconds: Double {
        Double(nFrames) * AudioTiming.secondsPerFrame
    }
}

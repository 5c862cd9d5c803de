/// The encoder-state distillation term: the mean squared difference between the student's encoder
/// output and the teacher's, `weight · (1 / count) · Σ (student − teacher)²` over every element of
/// `[batch · nAudioCtx, nAudioState]`. It gives a student with dropped encoder layers a dense target
/// at every frame from the first step (distil-whisper's students keep the teacher's encoder; this is
/// the hidden-state loss of TinyBERT-style distillation, on the encoder's final output only).
package enum EncoderMSEOp {
    /// Returns the unweighted mean squared error and adds the weighted loss's gradient, times
    /// `gradientScale` (1 / accumulation steps), into `dout` (accumulated: the decoder's backward
    /// adds its own d(audio) to the same buffer).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package static func forwardBackward<T: TrainScalar>(
        dout: UnsafeMutablePointer<T>?, student: UnsafePointer<T>, teacher: UnsafePointer<T>, count: Int,
        weight: Double, gradientScale: Double = 1
    ) -> Double {
        precondition(count > 0, "an empty encoder output")
        var sum = 0.0
        // d/ds of w · mean((s − t)²) is 2w(s − t) / count.
        let scale = T(2 * weight * gradientScale / Double(count))
        for i in 0..<count {
            let difference = student[i] - teacher[i]
            sum += Double(difference * difference)
            if let dout { dout[i] += scale * difference }
        }
        return sum / Double(count)
    }
}

/// The encoder's activations for `batch` mel windows `[nMels, 2 · audioFrames]` each, sized for whole
/// 30 s windows (`audioFrames` = `nAudioCtx`); a shorter context uses the front of every buffer.
package final class EncoderActivations<T: TrainScalar> {
    package let capacityBatch: Int
    package private(set) var batch: Int
    /// Encoder frames (positions) of the next forward: `nAudioCtx`, or fewer for a student trained
    /// to attend to its audio alone.
    package private(set) var audioFrames: Int
    private let capacityFrames: Int
    let frames: TrainBuffer<T>                // [batch, nFrames, nMels] the mel, time-major
    let columns1, conv1, gelu1: TrainBuffer<T> // [batch, nFrames, nMels · 3], [batch, nFrames, nAudioState] x2
    let columns2, conv2: TrainBuffer<T>       // [batch, nAudioCtx, nAudioState · 3], [batch, nAudioCtx, nAudioState]
    let blocks: [BlockActivations<T>]
    let residual: TrainBuffer<T>              // [batch · nAudioCtx, nAudioState] after the last block
    let lnMean, lnRstd: TrainBuffer<T>
    /// `[batch · nAudioCtx, nAudioState]`: what the decoder attends to.
    package let output: TrainBuffer<T>
    /// d(loss)/d(output), accumulated by the decoder's backward.
    package let outputGradient: TrainBuffer<T>
    let gradients: BlockGradients<T>
    let stemGradient, stemGradient2, convScratch: TrainBuffer<T>
    package let forwardOnly: Bool

    /// `forwardOnly` (a frozen encoder) keeps one block's activations, reused by every layer, and no
    /// gradient buffers: a quarter of the memory for tiny, which is mostly attention probabilities.
    package init(_ model: TrainingModel<T>, batch: Int, forwardOnly: Bool = false) {
        let d = model.dims
        let (frameCount, audioRows, width) = (d.nFrames, batch * d.nAudioCtx, d.nAudioState)
        (self.batch, capacityBatch) = (batch, batch)
        (audioFrames, capacityFrames) = (d.nAudioCtx, d.nAudioCtx)
        frames = TrainBuffer(batch * frameCount * d.nMels)
        columns1 = TrainBuffer(batch * frameCount * d.nMels * 3)
        (conv1, gelu1) = (TrainBuffer(batch * frameCount * width), TrainBuffer(batch * frameCount * width))
        columns2 = TrainBuffer(audioRows * width * 3)
        conv2 = TrainBuffer(audioRows * width)
        blocks = (0..<(forwardOnly ? min(1, d.nAudioLayer) : d.nAudioLayer)).map { _ in
            BlockActivations(batch: batch, length: d.nAudioCtx, width: width, heads: d.nAudioHead, audioFrames: nil)
        }
        self.forwardOnly = forwardOnly
        let gradientBatch = forwardOnly ? 0 : batch
        residual = TrainBuffer(audioRows * width)
        (lnMean, lnRstd) = (TrainBuffer(audioRows), TrainBuffer(audioRows))
        output = TrainBuffer(audioRows * width)
        outputGradient = TrainBuffer(gradientBatch * d.nAudioCtx * width)
        gradients = BlockGradients(batch: gradientBatch, length: d.nAudioCtx, width: width, heads: d.nAudioHead, audioFrames: nil)
        stemGradient = TrainBuffer(gradientBatch * frameCount * width)
        stemGradient2 = TrainBuffer(gradientBatch * frameCount * width)
        convScratch = TrainBuffer(forwardOnly ? 0 : frameCount * max(d.nMels, width) * 3)
    }

    /// Sets the batch and context of the next forward (within the capacity); `audioFrames` nil: whole windows.
    package func prepare(batch: Int, audioFrames: Int? = nil) {
        let frames = audioFrames ?? capacityFrames
        precondition(batch <= capacityBatch, "batch \(batch) exceeds the activations' \(capacityBatch)")
        precondition((1...capacityFrames).contains(frames), "audio frames \(frames) outside 1...\(capacityFrames)")
        (self.batch, self.audioFrames) = (batch, frames)
    }
}

extension TrainingModel {
    private func convShapes(melFrames: Int) -> (ConvShape, ConvShape) {
        (ConvShape(length: melFrames, inChannels: dims.nMels, outChannels: dims.nAudioState, stride: 1),
         ConvShape(length: melFrames, inChannels: dims.nAudioState, outChannels: dims.nAudioState, stride: 2))
    }

    /// mel `[batch, nMels, 2 · a.audioFrames]` -> `a.output` `[batch · a.audioFrames, nAudioState]`: two
    /// GELU convolutions (the second halves time), the first `a.audioFrames` sinusoidal positions, the
    /// blocks, `ln_post`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package func encoderForward(_ a: EncoderActivations<T>, mel: [T]) {
        let (nMels, ctx, width) = (dims.nMels, a.audioFrames, dims.nAudioState)
        let frameCount = 2 * ctx
        precondition(mel.count == a.batch * nMels * frameCount, "mel must be [\(a.batch), \(nMels), \(frameCount)]")
        let (c1, c2) = convShapes(melFrames: frameCount)
        let stemOut = a.blocks.first?.input.pointer ?? a.residual.pointer
        for b in 0..<a.batch {
            // [nMels, nFrames] -> [nFrames, nMels]: the convolutions run time-major.
            let frames = a.frames.pointer + b * frameCount * nMels
            for m in 0..<nMels {
                for t in 0..<frameCount { frames[t * nMels + m] = mel[(b * nMels + m) * frameCount + t] }
            }
            let (conv1, gelu1) = (a.conv1.pointer + b * frameCount * width, a.gelu1.pointer + b * frameCount * width)
            Conv1DOp.forward(conv1, columns: a.columns1.pointer + b * frameCount * nMels * 3, frames,
                             weight: parameter("encoder.conv1.weight"), bias: parameter("encoder.conv1.bias"), c1)
            GELUOp.forward(gelu1, conv1, count: frameCount * width)
            let conv2 = a.conv2.pointer + b * ctx * width
            Conv1DOp.forward(conv2, columns: a.columns2.pointer + b * ctx * width * 3, gelu1,
                             weight: parameter("encoder.conv2.weight"), bias: parameter("encoder.conv2.bias"), c2)
            GELUOp.forward(stemOut + b * ctx * width, conv2, count: ctx * width)
            add(stemOut + b * ctx * width, parameter("encoder.positional_embedding"), ctx * width)
        }
        let shape = BlockShape(batch: a.batch, length: ctx, width: width, heads: dims.nAudioHead, audioFrames: nil,
                               audioWidth: 0, causal: false)
        for i in 0..<dims.nAudioLayer {
            // Forward-only: one activation set; a block may write its output over its own input,
            // which it has finished reading by then.
            let block = a.blocks[a.forwardOnly ? 0 : i]
            let last = i + 1 == dims.nAudioLayer
            let out = last ? a.residual.pointer : a.blocks[a.forwardOnly ? 0 : i + 1].input.pointer
            blockForward("encoder.blocks.\(i)", block, shape, audio: nil, out: out)
        }
        layerNorm("encoder.ln_post", a.output.pointer, a.lnMean.pointer, a.lnRstd.pointer, a.residual.pointer,
                  rows: a.batch * ctx, dim: width)
    }

    /// With `a.outputGradient` holding d(loss)/d(output), accumulates the encoder's gradients.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    package func encoderBackward(_ a: EncoderActivations<T>) {
        precondition(!a.forwardOnly, "the encoder ran forward-only; its activations are gone")
        let (ctx, width) = (a.audioFrames, dims.nAudioState)
        let frameCount = 2 * ctx
        let g = a.gradients
        zero(g.residual)
        layerNormBackward("encoder.ln_post", dout: a.outputGradient.pointer, inp: a.residual.pointer, a.lnMean.pointer,
                          a.lnRstd.pointer, into: g.residual.pointer, rows: a.batch * ctx, dim: width)
        let shape = BlockShape(batch: a.batch, length: ctx, width: width, heads: dims.nAudioHead, audioFrames: nil,
                               audioWidth: 0, causal: false)
        for (i, block) in a.blocks.enumerated().reversed() {
            blockBackward("encoder.blocks.\(i)", block, shape, g, audio: nil, daudio: nil)
        }
        let (c1, c2) = convShapes(melFrames: frameCount)
        for b in 0..<a.batch {
            // The positions are fixed, so d(stem output) is the residual gradient itself.
            let dconv2 = a.stemGradient.pointer
            dconv2.update(repeating: 0, count: ctx * width)
            GELUOp.backward(dinp: dconv2, dout: g.residual.pointer + b * ctx * width, inp: a.conv2.pointer + b * ctx * width,
                            count: ctx * width)
            let dgelu1 = a.stemGradient2.pointer
            dgelu1.update(repeating: 0, count: frameCount * width)
            Conv1DOp.backward(dinp: dgelu1, dweight: gradient("encoder.conv2.weight"), dbias: gradient("encoder.conv2.bias"),
                              dout: dconv2, columns: a.columns2.pointer + b * ctx * width * 3,
                              weight: parameter("encoder.conv2.weight"), scratch: a.convScratch.pointer, c2)
            let dconv1 = a.stemGradient.pointer
            dconv1.update(repeating: 0, count: frameCount * width)
            GELUOp.backward(dinp: dconv1, dout: dgelu1, inp: a.conv1.pointer + b * frameCount * width, count: frameCount * width)
            Conv1DOp.backward(dinp: nil, dweight: gradient("encoder.conv1.weight"), dbias: gradient("encoder.conv1.bias"),
                              dout: dconv1, columns: a.columns1.pointer + b * frameCount * dims.nMels * 3,
                              weight: parameter("encoder.conv1.weight"), scratch: a.convScratch.pointer, c1)
        }
    }
}

/// What one pre-LN residual block's forward saves for its backward, rows `[batch · length]` of width
/// `width` (llm.c `ActivationTensors`, one set per layer). Cross-attention buffers exist only in
/// decoder blocks; `audioFrames` is the number of audio rows per batch item they attend to.
package final class BlockActivations<T: TrainScalar> {
    package let input: TrainBuffer<T>               // [rows, width] the residual entering the block
    let ln1, ln1Mean, ln1Rstd: TrainBuffer<T>       // attn_ln output [rows, width], [rows], [rows]
    let qkv: TrainBuffer<T>                         // [rows, 3 · width]
    let probabilities: TrainBuffer<T>               // [batch, heads, length, length]
    let attention: TrainBuffer<T>                   // [rows, width] heads concatenated
    let afterAttention: TrainBuffer<T>              // [rows, width] residual after self-attention
    let ln2, ln2Mean, ln2Rstd: TrainBuffer<T>       // cross_attn_ln
    let crossQuery: TrainBuffer<T>                  // [rows, width]
    let crossKeysValues: TrainBuffer<T>             // [batch · audioFrames, 2 · width]
    let crossProbabilities: TrainBuffer<T>          // [batch, heads, length, audioFrames]
    let crossAttention: TrainBuffer<T>              // [rows, width]
    let afterCross: TrainBuffer<T>                  // [rows, width] residual after cross-attention
    let ln3, ln3Mean, ln3Rstd: TrainBuffer<T>       // mlp_ln
    let hidden, hiddenGELU: TrainBuffer<T>          // [rows, 4 · width] before and after GELU

    init(batch: Int, length: Int, width: Int, heads: Int, audioFrames: Int?) {
        let rows = batch * length
        input = TrainBuffer(rows * width)
        (ln1, ln1Mean, ln1Rstd) = (TrainBuffer(rows * width), TrainBuffer(rows), TrainBuffer(rows))
        qkv = TrainBuffer(rows * 3 * width)
        probabilities = TrainBuffer(batch * heads * length * length)
        attention = TrainBuffer(rows * width)
        afterAttention = TrainBuffer(rows * width)
        let cross = audioFrames ?? 0
        let crossRows = audioFrames == nil ? 0 : rows
        (ln2, ln2Mean, ln2Rstd) = (TrainBuffer(crossRows * width), TrainBuffer(crossRows), TrainBuffer(crossRows))
        crossQuery = TrainBuffer(crossRows * width)
        crossKeysValues = TrainBuffer(batch * cross * 2 * width)
        crossProbabilities = TrainBuffer(batch * heads * (audioFrames == nil ? 0 : length) * cross)
        crossAttention = TrainBuffer(crossRows * width)
        afterCross = TrainBuffer(crossRows * width)
        (ln3, ln3Mean, ln3Rstd) = (TrainBuffer(rows * width), TrainBuffer(rows), TrainBuffer(rows))
        (hidden, hiddenGELU) = (TrainBuffer(rows * 4 * width), TrainBuffer(rows * 4 * width))
    }
}

/// Gradient buffers shared by every block's backward (one layer is differentiated at a time).
package final class BlockGradients<T: TrainScalar> {
    let residual: TrainBuffer<T>       // [rows, width] d(block output), becomes d(block input)
    let normed: TrainBuffer<T>         // [rows, width]
    let attention: TrainBuffer<T>      // [rows, width]
    let qkv: TrainBuffer<T>            // [rows, 3 · width]
    let crossQuery: TrainBuffer<T>     // [rows, width]
    let crossKeysValues: TrainBuffer<T> // [batch · audioFrames, 2 · width]
    let hidden, hiddenGELU: TrainBuffer<T> // [rows, 4 · width]
    let scores: TrainBuffer<T>         // the larger of the self and cross probability shapes

    init(batch: Int, length: Int, width: Int, heads: Int, audioFrames: Int?) {
        let rows = batch * length
        residual = TrainBuffer(rows * width)
        normed = TrainBuffer(rows * width)
        attention = TrainBuffer(rows * width)
        qkv = TrainBuffer(rows * 3 * width)
        crossQuery = TrainBuffer(rows * width)
        crossKeysValues = TrainBuffer(batch * (audioFrames ?? 0) * 2 * width)
        (hidden, hiddenGELU) = (TrainBuffer(rows * 4 * width), TrainBuffer(rows * 4 * width))
        scores = TrainBuffer(batch * heads * length * max(length, audioFrames ?? 0))
    }
}

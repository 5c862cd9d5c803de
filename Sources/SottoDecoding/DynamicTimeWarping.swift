/// The monotonic path through a cost matrix with the least total cost (openai/whisper timing.py
/// `dtw`, which CTranslate2's `negative_dtw` matches): each step moves diagonally, down (next row,
/// same column) or right (same row, next column). Word timing runs it over the negated alignment
/// matrix, rows being text tokens and columns audio positions.
package enum DynamicTimeWarping {
    /// One cell of the path.
    package struct Step: Equatable, Sendable {
        package var row: Int
        package var column: Int

        package init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// The path from `(0, 0)` to `(rows - 1, columns - 1)` through `cost` (`[rows, columns]`
    /// row-major). Ties prefer right, then down, over diagonal, as the reference's strict `<`
    /// comparisons do; sums are Float as in both references.
    package static func path(cost: [Float], rows: Int, columns: Int) -> [Step] {
        precondition(rows >= 0 && columns >= 0 && cost.count >= rows * columns, "dtw cost shape")
        guard rows > 0, columns > 0 else { return [] }
        let trace = accumulate(cost, rows: rows, columns: columns)
        return backtrace(trace, rows: rows, columns: columns)
    }

    /// Moves into a cell of the accumulated-cost table (which has one extra row and column).
    private enum Move: UInt8 { case diagonal, down, right }

    /// The accumulated table, column by column; returns for each cell the move that reached it.
    private static func accumulate(_ x: [Float], rows: Int, columns: Int) -> [Move] {
        let width = columns + 1
        var total = [Float](repeating: .infinity, count: (rows + 1) * width)
        var trace = [Move](repeating: .right, count: (rows + 1) * width)
        total[0] = 0
        for j in 1...columns {
            for i in 1...rows {
                let diagonal = total[(i - 1) * width + j - 1]
                let down = total[(i - 1) * width + j]
                let right = total[i * width + j - 1]
                let (best, move): (Float, Move)
                if diagonal < down && diagonal < right {
                    (best, move) = (diagonal, .diagonal)
                } else if down < diagonal && down < right {
                    (best, move) = (down, .down)
                } else {
                    (best, move) = (right, .right)
                }
                total[i * width + j] = x[(i - 1) * columns + j - 1] + best
                trace[i * width + j] = move
            }
        }
        // The borders lead back to the origin: along the first row only right, along the first column only down.
        for j in 0...columns { trace[j] = .right }
        for i in 0...rows { trace[i * width] = .down }
        return trace
    }

    private static func backtrace(_ trace: [Move], rows: Int, columns: Int) -> [Step] {
        let width = columns + 1
        var (i, j) = (rows, columns)
        var steps: [Step] = []
        steps.reserveCapacity(rows + columns)
        while i > 0 || j > 0 {
            steps.append(Step(row: i - 1, column: j - 1))
            switch trace[i * width + j] {
            case .diagonal: (i, j) = (i - 1, j - 1)
            case .down: i -= 1
            case .right: j -= 1
            }
        }
        return steps.reversed()
    }
}

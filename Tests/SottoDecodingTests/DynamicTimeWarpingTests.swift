import SottoDecoding
import Testing

@Suite struct DynamicTimeWarpingTests {
    typealias Step = DynamicTimeWarping.Step

    /// Worked by hand. Accumulated cost D[i][j] = x[i-1][j-1] + min(diagonal, down, right), D[0][0] = 0:
    ///
    ///     x = 1 3 5 7     D = 1  4  9 16
    ///         4 1 2 6         5  2  4 10
    ///         9 8 1 1        14 10  3  4
    ///
    /// Back from D[3][4] = 4: right to D[3][3] = 3, diagonal to 2, diagonal to 1, diagonal to the origin.
    @Test func followsTheCheapestMonotonicPath() {
        let cost: [Float] = [1, 3, 5, 7,
                             4, 1, 2, 6,
                             9, 8, 1, 1]
        let path = DynamicTimeWarping.path(cost: cost, rows: 3, columns: 4)
        #expect(path == [Step(row: 0, column: 0), Step(row: 1, column: 1), Step(row: 2, column: 2), Step(row: 2, column: 3)])
    }

    /// All costs equal: at the last cell diagonal, down and right tie, and the reference's strict
    /// comparisons take right; the first column is reached by moving down.
    @Test func tiesMoveRightThenDown() {
        let path = DynamicTimeWarping.path(cost: [0, 0, 0, 0], rows: 2, columns: 2)
        #expect(path == [Step(row: 0, column: 0), Step(row: 1, column: 0), Step(row: 1, column: 1)])
    }

    @Test func aSingleRowWalksRight() {
        let path = DynamicTimeWarping.path(cost: [3, 1, 2], rows: 1, columns: 3)
        #expect(path == (0..<3).map { Step(row: 0, column: $0) })
    }

    /// More tokens than audio positions: the path still visits every row, moving down.
    @Test func moreRowsThanColumnsVisitsEveryRow() {
        let path = DynamicTimeWarping.path(cost: [Float](repeating: 1, count: 4 * 2), rows: 4, columns: 2)
        #expect(Set(path.map(\.row)) == [0, 1, 2, 3])
        #expect(path.first == Step(row: 0, column: 0) && path.last == Step(row: 3, column: 1))
    }

    @Test func anEmptyMatrixHasNoPath() {
        #expect(DynamicTimeWarping.path(cost: [], rows: 0, columns: 5).isEmpty)
    }
}

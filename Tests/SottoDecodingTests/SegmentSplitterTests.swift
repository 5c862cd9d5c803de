import SottoDecoding
import Testing

@Suite struct SegmentSplitterTests {
    let splitter = SegmentSplitter(timestampBegin: 1000)
    func ts(_ index: Int) -> Int { 1000 + index }

    @Test func closedSegmentsAndAnUnfinishedTailSeekToTheLastClosedTimestamp() {
        // <0.00> a b <1.00><1.00> c <2.40><2.40> d   (tail unfinished)
        let tokens = [ts(0), 1, 2, ts(50), ts(50), 3, ts(120), ts(120), 4]
        let split = splitter.split(tokens: tokens, seekFrames: 500, segmentFrames: 3000)
        #expect(split.pieces.map(\.start) == [5.0, 6.0])
        #expect(split.pieces.map(\.end) == [6.0, 7.4])
        #expect(split.pieces.map(\.tokens) == [[ts(0), 1, 2, ts(50)], [ts(50), 3, ts(120)]])
        #expect(split.nextSeekFrames == 500 + 240)
    }

    @Test func singleTimestampEndingConsumesTheWholeWindow() {
        let tokens = [ts(0), 1, ts(40), ts(40), 2, ts(90)]
        let split = splitter.split(tokens: tokens, seekFrames: 0, segmentFrames: 1100)
        #expect(split.pieces.count == 2)
        #expect(split.pieces[1].end == 1.8)
        #expect(split.nextSeekFrames == 1100)
    }

    @Test func noTimestampsMakeOneSegmentOfTheWindow() {
        let split = splitter.split(tokens: [1, 2, 3], seekFrames: 3000, segmentFrames: 850)
        #expect(split.pieces.map(\.start) == [30.0] && split.pieces.map(\.end) == [38.5])
        #expect(split.pieces.map(\.tokens) == [[1, 2, 3]])
        #expect(split.nextSeekFrames == 3850)
    }

    @Test func aTrailingTimestampWithoutPairsSetsTheEnd() {
        let split = splitter.split(tokens: [ts(0), 1, 2, ts(150)], seekFrames: 0, segmentFrames: 3000)
        #expect(split.pieces.count == 1)
        #expect(split.pieces[0].end == 3.0)
    }
}

/// One zero-initialized allocation of `count` scalars, freed with its owner (llm.c's `malloc`ed
/// activation and parameter blocks). Ops read and write it through `pointer`; nothing escapes the
/// buffer's lifetime because the buffers live in the model or activation objects that call the ops.
package final class TrainBuffer<T: TrainScalar> {
    package let pointer: UnsafeMutablePointer<T>
    package let count: Int

    package init(_ count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    package convenience init(_ values: [T]) {
        self.init(values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    package func zero() { pointer.update(repeating: 0, count: count) }

    package var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    package func copy(from other: TrainBuffer<T>) {
        precondition(other.count == count, "copying \(other.count) values into a buffer of \(count)")
        pointer.update(from: other.pointer, count: count)
    }

    package subscript(i: Int) -> T {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

// SPDX-License-Identifier: GPL-2.0-or-later
import Glibc
import SwiftSpec
import Synchronization
import Testing

/// Counts visits per index from several threads.
private final class VisitCounter: Sendable {
  private struct Visits {
    var counts: [Int]
    var pieces: [Range<Int>] = []
  }

  private let state: Mutex<Visits>

  init(count: Int) {
    state = Mutex(Visits(counts: Array(repeating: 0, count: count)))
  }

  func visit(_ piece: Range<Int>) {
    state.withLock { state in
      for i in piece { state.counts[i] += 1 }
      state.pieces.append(piece)
    }
  }

  var visits: [Int] { state.withLock { $0.counts } }
  var sortedPieces: [Range<Int>] {
    state.withLock { $0.pieces }.sorted { $0.lowerBound < $1.lowerBound }
  }
}

@Suite("Parallel work queue")
struct ParallelTests {
  @Test(arguments: [(0, 2, 1), (1, 4, 1), (5, 8, 1), (100, 2, 16), (313, 2, 16),
                    (1000, 3, 1), (80128, 2, 16), (17, 1, 1)])
  func everyIndexIsVisitedOnce(count: Int, threads: Int, minimumChunk: Int) throws {
    let counter = VisitCounter(count: count)
    try parallelChunks(count: count, threads: threads, minimumChunk: minimumChunk) {
      counter.visit($0)
    }
    #expect(counter.visits.allSatisfy { $0 == 1 })
    // Pieces tile the range in order; all but the last are whole multiples of
    // minimumChunk, and several threads get several pieces each to share out.
    let pieces = counter.sortedPieces
    #expect(pieces.first?.lowerBound ?? 0 == 0 && pieces.last?.upperBound ?? 0 == count)
    for (a, b) in zip(pieces, pieces.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
    for piece in pieces.dropLast() { #expect(piece.count % minimumChunk == 0) }
    if threads > 1 && count >= 16 * threads * minimumChunk {
      #expect(pieces.count > threads)
    }
  }

  @Test func anErrorStopsTheHandingOutAndIsRethrown() {
    let counter = VisitCounter(count: 10_000)
    #expect(throws: SpectrogramError.self) {
      try parallelChunks(count: 10_000, threads: 4) { (piece) throws(SpectrogramError) in
        // The first piece handed out fails at once; the others take 1 ms each.
        if piece.contains(0) { throw .invalidArgument("first piece fails") }
        usleep(1000)
        counter.visit(piece)
      }
    }
    // Pieces already taken finish; no piece is handed out after the failure.
    #expect(counter.visits.reduce(0, +) < 10_000 / 2)
  }

  @Test func hugeCountsDoNotOverflow() throws {
    // Work that stops after the first piece: only the piece arithmetic is exercised.
    var firstPiece: Range<Int>?
    try parallelWork(count: Int.max, threads: 1) { queue in firstPiece = queue.next() }
    #expect(firstPiece == 0..<Int.max)
    let pieces = VisitCounterOfPieces()
    try parallelWork(count: Int.max - 1, threads: 1024, minimumChunk: 16) { queue in
      if let piece = queue.next() { pieces.record(piece) }
    }
    #expect(pieces.all.allSatisfy { $0.count > 0 && $0.upperBound <= Int.max - 1 })
  }
}

private final class VisitCounterOfPieces: Sendable {
  private let pieces = Mutex<[Range<Int>]>([])
  func record(_ piece: Range<Int>) { pieces.withLock { $0.append(piece) } }
  var all: [Range<Int>] { pieces.withLock { $0 } }
}

// swift-tools-version:6.0
// SPDX-License-Identifier: GPL-2.0-or-later
import PackageDescription

// FFTW and the Swift runtime are linked statically so that libswiftspec.so runs on a
// machine with neither installed; --exclude-libs keeps FFTW's symbols private, so
// another FFTW in the same process (numpy, torch) never shares our planner state.
let staticFFTW: [LinkerSetting] = [
  .unsafeFlags([
    "-Xlinker", "-l:libfftw3.a", "-Xlinker", "-l:libfftw3f.a",
    "-Xlinker", "--exclude-libs=ALL",
  ])
]

let package = Package(
  name: "swiftspec",
  products: [
    // MARK: - Public API
    .library(name: "swiftspec", type: .dynamic, targets: ["SwiftSpecCABI"]),
    .library(name: "SwiftSpec", targets: ["SwiftSpec"]),
  ],
  targets: [
    // MARK: - Implementation details
    .systemLibrary(name: "CFFTW", path: "Sources/CFFTW"),
    .target(name: "CSwiftSpec", path: "Sources/CSwiftSpec"),
    .target(name: "CForkGate", path: "Sources/CForkGate"),
    // Kernels compiled per SIMD level (kernels.c); FMA contraction off so that every
    // level gives the same bits, errno-free sqrt so that it vectorises, DWARF 4 because
    // valgrind 3.19 (make sanitize, callgrind) gives up on this file's DWARF 5.
    .target(
      name: "CKernels",
      path: "Sources/CKernels",
      cSettings: [.unsafeFlags(["-ffp-contract=off", "-fno-math-errno", "-gdwarf-4"])]
    ),

    // MARK: - Core and C ABI
    .target(
      name: "SwiftSpec",
      dependencies: ["CFFTW", "CKernels"],
      linkerSettings: staticFFTW
    ),
    .target(
      name: "SwiftSpecCABI",
      dependencies: ["SwiftSpec", "CSwiftSpec", "CForkGate"],
      exclude: ["exports.map"],
      linkerSettings: [
        // Unresolved symbols fail the build instead of the first dlopen.
        .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "defs"]),
        // Only swiftspec_* is exported (see exports.map).
        .unsafeFlags([
          "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/SwiftSpecCABI/exports.map",
        ]),
      ]
    ),

    // MARK: - Unit test bundles
    .testTarget(name: "SwiftSpecTests", dependencies: ["SwiftSpec", "SwiftSpecCABI", "CSwiftSpec"]),
  ]
)

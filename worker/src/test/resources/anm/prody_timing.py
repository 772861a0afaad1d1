"""Times ProDy's ANM on structure files, for comparison with AnmBenchmark (see its javadoc).

    /usr/bin/python3 worker/src/test/resources/anm/prody_timing.py FILE.pdb...

For each file: parsePDB(f).select('calpha'), ANM.buildHessian(cutoff=15.0, gamma=1.0) and
calcModes(n_modes=20), each timed, best of REPEATS runs after one warm-up, and the first two
eigenvalues. ProDy diagonalizes the dense Hessian with scipy.linalg.eigh (LAPACK), asking for the
lowest 26 eigenvalues only; it builds the Hessian with a Python loop over atoms.
"""

import sys
import time

import prody

REPEATS = 3


def best_of(function):
    function()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(paths):
    prody.confProDy(verbosity="none")
    print("%-22s %6s %9s %9s %9s %9s" % ("structure", "atoms", "parse_s", "hessian_s", "modes_s",
                                         "total_s"))
    for path in paths:
        parse, calpha = best_of(lambda: prody.parsePDB(path).select("calpha"))

        def hessian():
            anm = prody.ANM(path)
            anm.buildHessian(calpha, cutoff=15.0, gamma=1.0)
            return anm

        build, anm = best_of(hessian)
        modes, _ = best_of(lambda: anm.calcModes(n_modes=20))
        name = path.rsplit("/", 1)[-1]
        print("%-22s %6d %9.3f %9.3f %9.3f %9.3f  %s" % (
            name, calpha.numAtoms(), parse, build, modes, parse + build + modes,
            anm.getEigvals()[:2]), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Writes reference ANM results for AnmTaskTest, computed by ProDy.

The checked-in prody_expected.json was produced, from the repository root, by

    /usr/bin/python3 worker/src/test/resources/anm/prody_expected.py data/structures \
        > worker/src/test/resources/anm/prody_expected.json

with Debian 12's python3-prody 2.3.1 (apt-get install -y python3-prody), numpy 1.24.2 and scipy
1.10.1; the versions are recorded in the output. Use /usr/bin/python3, whose dist-packages hold
ProDy, not another python3 on PATH.

For every *.pdb file in the directory given (sorted by name), this is what ProDy computes:

    atoms = parsePDB(path).select('calpha')
    anm = ANM(name); anm.buildHessian(atoms, cutoff=15.0, gamma=1.0); anm.calcModes(n_modes=20)
    eigenvalues = anm.getEigvals(); fractions = calcFractVariance(anm)

and one JSON object per file in "structures": its name, the SHA-256 of its bytes, the number of
C-alpha atoms, the eigenvalues and fractions (shortest repr that reads back to the same double),
or, when ProDy raises, "error": "<exception class>: <message>". ProDy has no C-alpha check of its
own: select() returns None and buildHessian(None) raises a TypeError, recorded as it comes.
"""

import glob
import hashlib
import json
import os
import sys

import numpy
import prody
import scipy

CUTOFF = 15.0
GAMMA = 1.0
N_MODES = 20


def analyse(path):
    with open(path, "rb") as stream:
        sha256 = hashlib.sha256(stream.read()).hexdigest()
    entry = {"structure": os.path.basename(path), "sha256": sha256}
    try:
        structure = prody.parsePDB(path)
        calpha = structure.select("calpha") if structure is not None else None
        entry["atoms"] = 0 if calpha is None else calpha.numAtoms()
        anm = prody.ANM(os.path.basename(path))
        anm.buildHessian(calpha, cutoff=CUTOFF, gamma=GAMMA)
        anm.calcModes(n_modes=N_MODES)
        entry["eigenvalues"] = [float(value) for value in anm.getEigvals()]
        entry["fractions"] = [float(value) for value in prody.calcFractVariance(anm)]
    except Exception as error:  # recorded as the expected outcome for this file
        entry["error"] = "%s: %s" % (type(error).__name__, error)
    return entry


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: prody_expected.py DIRECTORY  (JSON on stdout)")
    prody.confProDy(verbosity="none")
    paths = sorted(glob.glob(os.path.join(argv[1], "*.pdb")))
    if not paths:
        sys.exit("no *.pdb files in %s" % argv[1])
    document = {
        "generator": "worker/src/test/resources/anm/prody_expected.py",
        "prody": prody.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "cutoff": CUTOFF,
        "gamma": GAMMA,
        "n_modes": N_MODES,
        "structures": [analyse(path) for path in paths],
    }
    json.dump(document, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)

"""Writes reference scores for GlobalAlignerTest, computed by Biopython's PairwiseAligner.

The checked-in biopython_scores.tsv was produced, from the repository root, by

    /usr/bin/python3 worker/src/test/resources/align/biopython_scores.py \
        > worker/src/test/resources/align/biopython_scores.tsv

with Debian's python3-biopython 1.80 (apt-get install -y python3-biopython). Output: a '#' line
naming the Biopython version, a header line, then one tab-separated line per pair: reference,
sequence, score. The seed is fixed, so a rerun with the same Biopython writes the same file.

Scoring is the one jprocs' GlobalAligner uses by default: global mode, match +1, mismatch -2, a
gap of length L scores -5 - 2(L-1), end gaps scored as inner ones. Biopython refuses empty
sequences ("sequence has zero length"), so there are none here; the Java test covers them by hand.
"""

import random
import sys

import Bio
from Bio import Align

SEED = 20240611
DEFAULT_REFERENCE = "GAGTTTGATCCTGGCTCAGATTGAACGCTGGCGGCATGCTTAACACATGCAAGTCGAACGGCAG"


def aligner():
    return Align.PairwiseAligner(
        mode="global",
        match_score=1,
        mismatch_score=-2,
        open_gap_score=-5,
        extend_gap_score=-2,
    )


def random_sequence(rng, length, alphabet="ACGT"):
    return "".join(rng.choice(alphabet) for _ in range(length))


def mutate(rng, sequence, alphabet="ACGT"):
    """Returns sequence with a few substitutions and runs inserted or deleted, so the two share
    long stretches and the best alignment has inner gaps of several lengths."""
    bases = list(sequence)
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(("substitute", "insert", "delete"))
        position = rng.randrange(len(bases) + 1)
        run = rng.randint(1, 6)
        if kind == "substitute" and position < len(bases):
            bases[position] = rng.choice(alphabet)
        elif kind == "insert":
            bases[position:position] = random_sequence(rng, run, alphabet)
        elif len(bases) > run:
            del bases[position : position + run]
    return "".join(bases) or rng.choice(alphabet)


def pairs(rng):
    # The align task's own case: the default reference against random 64-mers.
    for _ in range(100):
        yield DEFAULT_REFERENCE, random_sequence(rng, 64)
    # Unrelated pairs of different lengths.
    for _ in range(100):
        yield random_sequence(rng, rng.randint(1, 80)), random_sequence(rng, rng.randint(1, 80))
    # Related pairs: long shared stretches separated by gaps and substitutions.
    for _ in range(60):
        original = random_sequence(rng, rng.randint(10, 80))
        yield original, mutate(rng, original)
    for _ in range(20):
        yield DEFAULT_REFERENCE, mutate(rng, DEFAULT_REFERENCE)
    # Two letters: many equally good alignments, so ties in the traceback are exercised.
    for _ in range(10):
        yield random_sequence(rng, rng.randint(1, 30), "AB"), random_sequence(rng, rng.randint(1, 30), "AB")
    # Mixed-case letters: case is significant.
    for _ in range(10):
        alphabet = "ACGTacgtNnXz"
        yield random_sequence(rng, rng.randint(1, 40), alphabet), random_sequence(rng, rng.randint(1, 40), alphabet)
    # By hand.
    yield "A", "A"
    yield "A", "C"
    yield "A", "ACGTACGT"
    yield "ACGTACGT", "T"
    yield "ACGT", "acgt"
    yield "AAAAAAAAAA", "AAA"
    yield "ACGTACGTACGT", "ACGTACGT"
    yield "ACGTTTTTACGT", "ACGTACGT"
    yield "GATTACA", "GCATGCU"
    yield "ACGT", "TGCA"
    yield "CCCCCCCCCCGGGGGGGGGG", "GGGGGGGGGGCCCCCCCCCC"
    yield DEFAULT_REFERENCE, DEFAULT_REFERENCE
    yield DEFAULT_REFERENCE, DEFAULT_REFERENCE[::-1]
    yield DEFAULT_REFERENCE, DEFAULT_REFERENCE[10:50]
    yield DEFAULT_REFERENCE, DEFAULT_REFERENCE[:20] + DEFAULT_REFERENCE[40:]
    yield DEFAULT_REFERENCE, "A"


def main():
    rng = random.Random(SEED)
    scorer = aligner()
    out = sys.stdout
    out.write(f"# Biopython {Bio.__version__}, written by biopython_scores.py (seed {SEED})\n")
    out.write("reference\tsequence\tscore\n")
    for reference, sequence in pairs(rng):
        score = scorer.score(reference, sequence)
        if score != int(score):
            raise ValueError(f"non-integral score {score} for {reference} {sequence}")
        out.write(f"{reference}\t{sequence}\t{int(score)}\n")


if __name__ == "__main__":
    main()

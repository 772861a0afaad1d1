package dev.jprocs.worker.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code align}: the optimal global alignment of an input sequence (a JSON string) against the
 * reference given by the task option {@code reference}, scored as {@link GlobalAligner}'s defaults
 * (match +1, mismatch -2, gap open -5, extend -2, end gaps as inner ones).
 *
 * <p>Sequences are letters only, compared case-sensitively; anything else is rejected rather than
 * aligned as a character.
 */
public final class AlignTask implements Task {
  /** The 64-base reference used when the job gives no {@code reference} option. */
  public static final String DEFAULT_REFERENCE =
      "GAGTTTGATCCTGGCTCAGATTGAACGCTGGCGGCATGCTTAACACATGCAAGTCGAACGGCAG";

  /** Length of each sample input. */
  static final int SAMPLE_LENGTH = 64;

  private static final char[] SAMPLE_BASES = {'A', 'C', 'G', 'T'};

  // java.util.Random's linear congruential generator (its class javadoc gives these).
  private static final long RANDOM_MULTIPLIER = 0x5DEECE66DL;
  private static final long RANDOM_ADDEND = 0xBL;
  private static final long RANDOM_MASK = (1L << 48) - 1;

  /**
   * The output for one input: the alignment score and the two aligned rows, of equal length, with
   * {@code '-'} for a gap.
   */
  public record Alignment(int score, String reference, String sequence) {}

  // The worker calls apply from one thread, so one aligner and its buffers serve every input.
  private final GlobalAligner aligner = new GlobalAligner();

  // The option is the same for a whole job: check each distinct reference once, not per input.
  private String checkedReference;

  @Override
  public String name() {
    return "align";
  }

  @Override
  public String description() {
    return "global alignment score and gapped rows of a sequence against the 'reference' option";
  }

  @Override
  public Object apply(JsonNode input, TaskContext context) {
    if (input == null || !input.isTextual()) {
      throw new IllegalArgumentException(
          "align takes a JSON string (the sequence), got " + Task.describeInput(input));
    }
    String reference = context.option("reference", DEFAULT_REFERENCE);
    if (!reference.equals(checkedReference)) {
      requireLetters("reference", reference);
      checkedReference = reference;
    }
    String sequence = input.textValue();
    requireLetters("sequence", sequence);
    GlobalAligner.Result result = aligner.align(reference, sequence);
    return new Alignment(result.score(), result.first(), result.second());
  }

  /**
   * Random {@value #SAMPLE_LENGTH}-base ACGT sequences: base after base, {@code "ACGT".charAt(new
   * Random(seed).nextInt(4))}.
   */
  @Override
  public Optional<List<JsonNode>> sampleInputs(int count, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    // java.util.Random's generator as its javadoc specifies it, stepped in a local: the bases of
    // new Random(seed).nextInt(4) without an atomic update per base (the coordinator draws
    // 6.4 million for 100,000 samples, mostly before its compiler has caught up: 75 ms -> 15 ms).
    // nextInt(4) is the top 2 of next(31)'s bits, which are bits 46-47 of the 48-bit state.
    long state = (seed ^ RANDOM_MULTIPLIER) & RANDOM_MASK;
    List<JsonNode> inputs = new ArrayList<>(count);
    char[] bases = new char[SAMPLE_LENGTH];
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < SAMPLE_LENGTH; k++) {
        state = (state * RANDOM_MULTIPLIER + RANDOM_ADDEND) & RANDOM_MASK;
        bases[k] = SAMPLE_BASES[(int) (state >>> 46)];
      }
      inputs.add(TextNode.valueOf(new String(bases)));
    }
    return Optional.of(inputs);
  }

  private static void requireLetters(String what, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "%s has '%s' (U+%04X) at position %d (from 0); only letters A-Z, a-z are allowed",
                what,
                c,
                (int) c,
                i));
      }
    }
  }
}

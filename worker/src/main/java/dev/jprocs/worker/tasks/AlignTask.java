package dev.jprocs.worker.tasks;

import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.jprocs.worker.Task;
import dev.jprocs.worker.TaskContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  private static final byte[] SAMPLE_BASES = {'A', 'C', 'G', 'T'};

  // java.util.Random's linear congruential generator (its class javadoc gives these).
  private static final long RANDOM_MULTIPLIER = 0x5DEECE66DL;
  private static final long RANDOM_ADDEND = 0xBL;
  private static final long RANDOM_MASK = (1L << 48) - 1;

  /**
   * The output for one input: {@code {"score": S, "reference": R, "sequence": Q}}, the alignment
   * score and the two aligned rows, of equal length, with {@code '-'} for a gap. Written here as
   * the JSON text the codec sends as it is (a {@link RawValue}; the coordinator reads it back as
   * an object node, the same bytes an ObjectNode of the three fields gives). The rows are letters
   * and gaps only (both sequences are checked before they are aligned), so they need no escaping.
   * A node built per output, then walked and written by Jackson's generator, was a worker's
   * biggest C2 compile and most of its cold time outside the kernel: 100,000 aligns end to end
   * 1.41 -> 1.33 s (medians of 10 interleaved). Before that, a record the codec reflected on was.
   * The text is held with its bytes ({@link AsciiJson}), which the codec copies onto the wire.
   */
  static JsonNode output(GlobalAligner.Result result) {
    String reference = result.first();
    String sequence = result.second();
    StringBuilder json = new StringBuilder(reference.length() + sequence.length() + 48)
        .append("{\"score\":").append(result.score())
        .append(",\"reference\":\"").append(reference)
        .append("\",\"sequence\":\"").append(sequence).append("\"}");
    return JsonNodeFactory.instance.rawValueNode(new RawValue(new AsciiJson(json.toString())));
  }

  /**
   * JSON text of ASCII characters only, with its UTF-8 bytes made at once (its chars as bytes,
   * one array copy), which the generator copies into its buffer. Given as a String, the text
   * went through a char buffer and was encoded char by char: a result line of 1000 aligns was
   * written in 166-169 us, now 20-24 (JMH, {@code CodecBenchmark.encodeResult1000Aligns}); with
   * the bytes made per output, 178-195 -> 45-50 ns an output, and 340-370 -> 74-82 ns in C1's
   * code, which a cold worker runs.
   */
  private static final class AsciiJson extends SerializedString {
    /** {@code json} must be ASCII, as align's outputs are: digits, letters, gaps, punctuation. */
    AsciiJson(String json) {
      super(json);
      _unquotedUTF8Ref = json.getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * Whether this JVM resolved {@code jdk.incubator.vector}, so {@link VectorAligner} can load.
   * Reading it loads no class of the module.
   */
  private static final boolean VECTOR_API =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  /**
   * The fewest sequences of one length a message must have before they go through the vector
   * lanes; the rest are aligned one at a time.
   */
  public static final int MIN_TOGETHER = 64;

  // The worker calls apply from one thread, so one aligner and its buffers serve every input.
  private final GlobalAligner aligner = new GlobalAligner();

  /** Made at the first message that has enough sequences for it; only when VECTOR_API. */
  private VectorAligner vectors;

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
    return output(result);
  }

  /**
   * Where the worker resolves {@code jdk.incubator.vector} and the vectors have 8 lanes or more,
   * aligns the message's valid sequences {@link VectorAligner#LANES} at a time, those of one
   * length together (lengths with fewer than {@value #MIN_TOGETHER} sequences, and those too long
   * for scores in shorts, are left to {@link #apply}); the same outputs as apply's. Invalid inputs,
   * and every input when the reference is invalid, are left to apply, which says what is wrong.
   */
  @Override
  public Object[] applyTogether(List<JsonNode> inputs, TaskContext first) {
    Object[] outputs = new Object[inputs.size()];
    if (!VECTOR_API || inputs.size() < MIN_TOGETHER || !VectorAligner.WORTHWHILE) {
      return outputs;
    }
    String reference = first.option("reference", DEFAULT_REFERENCE);
    if (!isLetters(reference)) {
      return outputs;
    }
    Map<Integer, List<Integer>> byLength = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode input = inputs.get(i);
      if (input != null && input.isTextual() && isLetters(input.textValue())) {
        byLength.computeIfAbsent(input.textValue().length(), length -> new ArrayList<>()).add(i);
      }
    }
    if (vectors == null) {
      vectors = new VectorAligner(GlobalAligner.DEFAULT_MATCH, GlobalAligner.DEFAULT_MISMATCH,
          GlobalAligner.DEFAULT_GAP_OPEN, GlobalAligner.DEFAULT_GAP_EXTEND);
    }
    int lanes = VectorAligner.LANES;
    String[] batch = new String[lanes];
    GlobalAligner.Result[] results = new GlobalAligner.Result[lanes];
    for (Map.Entry<Integer, List<Integer>> group : byLength.entrySet()) {
      List<Integer> indices = group.getValue();
      if (indices.size() < MIN_TOGETHER || !vectors.fits(reference.length(), group.getKey())) {
        continue;
      }
      for (int from = 0; from < indices.size(); from += lanes) {
        int count = Math.min(lanes, indices.size() - from);
        for (int k = 0; k < count; k++) {
          batch[k] = inputs.get(indices.get(from + k)).textValue();
        }
        vectors.align(reference, batch, count, results);
        for (int k = 0; k < count; k++) {
          outputs[indices.get(from + k)] = output(results[k]);
        }
      }
    }
    return outputs;
  }

  @Override
  public boolean usesVectorApi() {
    return true;
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
    // Bytes made into Latin-1 strings: copied as they are, where a char[] is checked and compressed.
    byte[] bases = new byte[SAMPLE_LENGTH];
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < SAMPLE_LENGTH; k++) {
        state = (state * RANDOM_MULTIPLIER + RANDOM_ADDEND) & RANDOM_MASK;
        bases[k] = SAMPLE_BASES[(int) (state >>> 46)];
      }
      inputs.add(TextNode.valueOf(new String(bases, StandardCharsets.ISO_8859_1)));
    }
    return Optional.of(inputs);
  }

  private static boolean isLetters(String text) {
    return firstNonLetter(text) < 0;
  }

  private static void requireLetters(String what, String text) {
    int i = firstNonLetter(text);
    if (i >= 0) {
      char c = text.charAt(i);
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s has '%s' (U+%04X) at position %d (from 0); only letters A-Z, a-z are allowed",
          what, c, (int) c, i));
    }
  }

  /** The index of the first character of {@code text} that is not an ASCII letter, or -1. */
  private static int firstNonLetter(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        return i;
      }
    }
    return -1;
  }
}

package dev.jprocs.cluster;

import java.io.Serializable;

/**
 * What a member sends back for one chunk: the protocol's {@code result} line, ready for the
 * coordinator's pipe, with the counts a goodbye reports, so the coordinator need not decode it.
 *
 * @param resultLine the Codec-encoded result, ending in its newline
 * @param items the inputs it answers
 * @param errors how many of them failed
 */
public record ChunkAnswer(byte[] resultLine, int items, int errors) implements Serializable {
  private static final long serialVersionUID = 1L;
}

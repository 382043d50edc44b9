package org.pclean.imaging.snapshot;

import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;

/**
 * Whether a decoded visibility record can be imaged: checked as it arrives, so a malformed record goes to the
 * dead-letter topic on its own instead of failing the whole window it would have joined.
 */
final class ChunkCheck {
  private ChunkCheck() {}

  /** Why the record cannot be imaged, or null when it can. */
  static String problem(VisibilityChunk c, DatasetDescriptor d) {
    if (!d.getDataset().equals(c.getDataset())) {
      return "record of dataset " + c.getDataset() + " on the topic of dataset " + d.getDataset();
    }
    if (c.getSequence() < 0) {
      return "record without a dump sequence number (a v0 chunk, not a stream)";
    }
    if (c.getDataDescId() < 0 || c.getDataDescId() >= d.getDataDescriptions().size()) {
      return "data description " + c.getDataDescId() + " is not in the dataset descriptor";
    }
    if (c.getNumBlocks() < 1 || c.getBlockIndex() < 0 || c.getBlockIndex() >= c.getNumBlocks()) {
      return "channel block " + c.getBlockIndex() + " of " + c.getNumBlocks();
    }
    long nrow = c.getNrow();
    long cells = nrow * c.getNchan() * c.getCorrTypes().size();
    if (nrow < 0 || c.getNchan() < 1 || c.getCorrTypes().isEmpty()
        || c.getVis().remaining() != 8 * cells || c.getFlags().remaining() != cells
        || c.getWeights().remaining() != 4 * cells || c.getUvw().remaining() != 24 * nrow
        || c.getAntenna1().remaining() != 4 * nrow || c.getAntenna2().remaining() != 4 * nrow
        || c.getFieldId().remaining() != 4 * nrow || c.getScan().remaining() != 4 * nrow
        || (c.getCorrected() != null && c.getCorrected().remaining() != 8 * cells)) {
      return "arrays do not match " + nrow + " rows x " + c.getNchan() + " channels x " + c.getCorrTypes().size()
          + " correlations";
    }
    return null;
  }
}

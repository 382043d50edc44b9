package org.pclean.imaging.snapshot;

import java.util.List;
import org.pclean.bus.avro.VisibilityChunk;

/**
 * A window ready to image: the chunks of its complete dumps and what is known about the rest.
 *
 * @param id unique within the imager (offset bookkeeping)
 * @param chunks every record of the window's complete dumps
 * @param dumps complete dumps held
 * @param missingDumps dumps the window should have held but did not get whole before it closed
 * @param closedAtMillis when the record (or the grace timer) that closed it was seen
 * @param reason why it closed, for the log: "complete", "later window", "grace"
 * @param late the window had already been closed when these records arrived
 */
record ClosedWindow(long id, WindowPlan.Window window, List<VisibilityChunk> chunks, long firstSequence,
    long lastSequence, int dumps, int missingDumps, long closedAtMillis, String reason, boolean late) {}

/**
 * Near-real-time snapshot imaging of a live dataset ({@code pclean snapshot}; API: {@link
 * org.pclean.imaging.snapshot.SnapshotImager} with a {@link org.pclean.imaging.snapshot.SnapshotImager.Listener}).
 *
 * <p>Decisions, for operators and for whoever reads {@code pclean.snapshots}:
 * <ul>
 *   <li><b>Windows</b> ({@link org.pclean.imaging.snapshot.WindowPlan}): {@code --interval T} gives windows
 *       [origin + kT, origin + (k+1)T) with the origin at the start of the first integration (first dump's TIME
 *       − integration/2); a dump belongs to the window of its centroid TIME. {@code --interval dump}: one window
 *       per dump, [TIME − INTERVAL/2, TIME + INTERVAL/2).
 *   <li><b>Closing</b> ({@link org.pclean.imaging.snapshot.WindowAssembler}): as soon as the dump whose TIME +
 *       INTERVAL/2 reaches the window end (or the dataset's last dump) is whole; or when a record of a later
 *       window arrives; or a grace period after it should have been complete (its last record's arrival plus
 *       the stream time left to the window end, at the stream's pace; default two integrations on the stream's
 *       own clock, at least 0.5 s). Dumps not whole by then are left out and counted in
 *       {@code missingDumps}; dumps arriving after their window closed are imaged as a late snapshot of that
 *       window (same key), never dropped.
 *   <li><b>Falling behind</b>: when the imaging thread finds more than one closed window waiting, it images all
 *       of them as one snapshot spanning their union (key and windowStart of the oldest; {@code mergedWindows}
 *       says how many) and logs a warning. Nothing is skipped.
 *   <li><b>Latency path</b>: decode on the poll thread, image in memory
 *       ({@link org.pclean.imaging.SerialImager#imageMfs}, the serial engine without files), publish the
 *       SnapshotReady, then the image as ImageTiles of kind IMAGE, wait for the acks; the FITS file
 *       {@code <imagename>-<UTC of window start>.fits} (ISO basic format) is written afterwards on its own thread.
 *   <li><b>Group and offsets</b>: group {@code pclean-snapshot-<dataset>}, read_committed, fetch.min.bytes 1,
 *       fetch.max.wait 20 ms. Offsets are committed up to the first record of the oldest window not yet
 *       published and written, so a member taking over re-images what the previous one had not finished (at
 *       least once). A dataset topic has one partition, so one member images it and the others stand by.
 *   <li><b>Poison records</b> (undecodable, of another dataset, arrays of the wrong size) go to {@code pclean.dlq}
 *       with the reason; the service goes on.
 * </ul>
 */
package org.pclean.imaging.snapshot;

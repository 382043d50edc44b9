/**
 * The Kafka Streams coordinator ({@link org.pclean.imaging.gather.Coordinator}): cube completion, continuum
 * gathering and the continuum minor cycle, under exactly_once_v2.
 *
 * <h2>Bad records and failing steps</h2>
 * Decided for issue 14: one record must not stop the coordinator or any job but its own.
 * <ul>
 *   <li>A record on pclean.jobs, .planes, .partials or .gathered that does not decode (foreign bytes, an unknown
 *       schema fingerprint) is written to pclean.dlq as a {@code DeadLetter} (source topic, partition, offset,
 *       original key and value, the serde's reason, which names the topic) and skipped. It fails no job: it says
 *       nothing trustworthy about one. Stream tasks write the dead letter in their transaction; the global thread
 *       (pclean.jobs, also while it restores at start) through {@link org.pclean.imaging.gather.CoordinatorErrors}'
 *       own producer.</li>
 *   <li>A step that throws on a decodable record dead-letters it and moves the record's job (its {@code jobId}
 *       field, else the key before the first '/') to FAILED on pclean.jobs with the step, topic, offset and
 *       exception as the error, plus a FAILED event on pclean.events; the app continues.</li>
 *   <li>An exception that still ends a stream thread replaces the thread (its tasks resume from their last commit).
 *       Kafka cannot replace the global thread: an error there past the handlers leaves the app in state ERROR.</li>
 * </ul>
 */
package org.pclean.imaging.gather;

package org.pclean.imaging.gather;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.TileKind;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.TcleanParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long pclean.jobs keeps a job's record. Compaction keeps every key's latest record forever, and every worker,
 * sink and client holds the topic in memory ({@code JobSpecView}), so without this the topic and the views grow by
 * each job's final spec (~1.3 kB) for good. Every {@link #INTERVAL} it reads the jobs store and
 * <ul>
 *   <li>tombstones the record of a job that ended (DONE or FAILED) longer than {@link Settings#ended()} ago (by the
 *       record's timestamp: when it ended); the stores held nothing of it since it ended;</li>
 *   <li>fails a job still SUBMITTED after {@link Settings#unsubmitted()}: its client stopped while publishing it
 *       (a continuum job is SUBMITTED while its start model goes to pclean.models, RUNNING once its tasks may
 *       follow), and tombstones the start-model tiles it may have left on the compacted pclean.models.</li>
 * </ul>
 * It runs in one task only (partition 0 of its source: pclean.jobs has one partition, so there is one jobs store
 * to read, and one writer is enough).
 */
public final class JobRetention implements Processor<String, Object, String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(JobRetention.class);
  /** How often the jobs store is read. */
  static final Duration INTERVAL = Duration.ofMinutes(1);

  /**
   * ended: how long an ended job's record stays on pclean.jobs (clients, the dashboard and `pclean status`
   * read it meanwhile); unsubmitted: how long a job may stay SUBMITTED before it is taken for abandoned.
   */
  public record Settings(Duration ended, Duration unsubmitted) {
    public static final Settings DEFAULT = new Settings(Duration.ofDays(7), Duration.ofHours(1));

    public Settings {
      if (ended.isNegative() || ended.isZero() || unsubmitted.isNegative() || unsubmitted.isZero()) {
        throw new IllegalArgumentException("job retention times must be positive, got " + ended + " and "
            + unsubmitted);
      }
    }
  }

  private final Settings settings;
  private final String jobsSink;
  private final String modelsSink;
  private ProcessorContext<String, Object> context;
  private TimestampedKeyValueStore<String, JobSpec> jobs;

  JobRetention(Settings settings, String jobsSink, String modelsSink) {
    this.settings = settings;
    this.jobsSink = jobsSink;
    this.modelsSink = modelsSink;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.jobs = context.getStateStore(CubeCompletionTopology.JOBS_STORE);
    if (context.taskId().partition() == 0) {
      context.schedule(INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }
  }

  @Override
  public void process(Record<String, Object> record) {
    // The source only places this processor in a task; the jobs come from the global store.
  }

  void sweep(long now) {
    List<KeyValue<String, ValueAndTimestamp<JobSpec>>> due = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<JobSpec>> it = jobs.all()) {
      it.forEachRemaining(kv -> {
        JobSpec job = kv.value.value();
        long age = now - kv.value.timestamp();
        boolean ended = job.getState() == JobState.DONE || job.getState() == JobState.FAILED;
        if ((ended && age > settings.ended().toMillis())
            || (job.getState() == JobState.SUBMITTED && age > settings.unsubmitted().toMillis())) {
          due.add(kv);
        }
      });
    }
    for (KeyValue<String, ValueAndTimestamp<JobSpec>> kv : due) {
      JobSpec job = kv.value.value();
      if (job.getState() == JobState.SUBMITTED) {
        abandon(job, now - kv.value.timestamp());
      } else {
        send(jobsSink, Topics.jobKey(job.getJobId()), null);
        LOG.debug("job {}: its record leaves pclean.jobs ({} {} ago)", job.getJobId(), job.getState(),
            Duration.ofMillis(now - kv.value.timestamp()));
      }
    }
  }

  private void abandon(JobSpec job, long ageMillis) {
    String why = "its client stopped while submitting it (SUBMITTED for " + Duration.ofMillis(ageMillis).toMinutes()
        + " min)";
    LOG.warn("job {} FAILED: {}", job.getJobId(), why);
    send(jobsSink, Topics.jobKey(job.getJobId()),
        JobSpec.newBuilder(job).setState(JobState.FAILED).setError(why).build());
    TcleanParams p;
    try {
      p = ImagingParamsCodec.of(job, 1);
    } catch (RuntimeException e) {
      if (job.getStartModelTerms() > 0 || job.getStartMask()) {
        LOG.warn("job {}: its start-image tiles stay on pclean.models (bad parameters: {})", job.getJobId(),
            e.getMessage());
      }
      return;
    }
    tombstoneStartImages(job, p, key -> send(modelsSink, key, null), true);
  }

  /**
   * Tombstones the start images a continuum job's client published on pclean.models, by their keys: the start
   * model (when models: the coordinator's own end tombstones every model key already), a restart's mask, and the
   * .psf and .residual terms a restart reuses (calcpsf, calcres false).
   */
  static void tombstoneStartImages(JobSpec job, TcleanParams p, java.util.function.Consumer<String> tombstone,
      boolean models) {
    if (p.specmode() != TcleanParams.SpecMode.MFS) {
      return;
    }
    int nterms = p.deconvolver() == TcleanParams.DeconvolverKind.MTMFS ? p.nterms() : 1;
    java.util.Map<TileKind, Integer> terms = new java.util.EnumMap<>(TileKind.class);
    if (models && job.getStartModelTerms() > 0) {
      terms.put(TileKind.MODEL, job.getStartModelTerms());
    }
    if (job.getStartMask()) {
      terms.put(TileKind.MASK, 1);
    }
    if (!p.calcpsf()) {
      terms.put(TileKind.PSF, 2 * nterms - 1);
    }
    if (!p.calcres()) {
      terms.put(TileKind.RESIDUAL, nterms);
    }
    int n = ImageTiles.count(p.nx(), p.ny());
    for (var e : terms.entrySet()) {
      for (int t = 0; t < e.getValue(); t++) {
        for (int k = 0; k < n; k++) {
          tombstone.accept(Topics.modelKey(job.getJobId(), job.getAttempt(), e.getKey(), t, k));
        }
      }
    }
  }

  private void send(String sink, String key, Object value) {
    context.forward(new Record<>(key, value, context.currentSystemTimeMs()), sink);
  }
}

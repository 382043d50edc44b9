package org.pclean.imaging.worker;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.DeadLetters;
import org.pclean.bus.Messages;
import org.pclean.bus.OutputNames;
import org.pclean.bus.SubcubeQueue;
import org.pclean.bus.SubcubeTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.BeamRecord;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PartitionKind;
import org.pclean.bus.avro.SubcubeReady;
import org.pclean.bus.metrics.PcleanMeters;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.TableDirectories;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.StartImages;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.continuum.PartialImager;
import org.pclean.ingest.params.ImagingParamsCodec;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.plan.RegriddedCube;
import org.pclean.ingest.plan.SpectralAxis;
import org.pclean.ingest.source.VisibilityLoader;
import org.pclean.ingest.source.VisibilitySource;
import org.pclean.ingest.source.VisibilitySources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A member of the pclean-workers consumer group: takes one task at a time. A sub-cube task (cube jobs) runs the
 * serial engine on its channels (reading the MS by reference), writes the sub-cube under the job's local
 * directory and publishes SubcubeReady with the per-plane beams. A row-chunk task (continuum jobs) grids its rows
 * for one major cycle ({@link PartialImager}) and publishes the partial image tiles on pclean.partials. The task's
 * offset is committed only after that, so a task of a worker that dies is redelivered to another member. The task
 * is imaged on a thread of its own while the consumer keeps polling with its partitions paused, so the group can
 * hand partitions to a joining worker mid-task ({@link TaskKeeper} keeps the task in hand with this worker). A redelivered task whose sub-cube is complete (marker
 * file written last) is not imaged again: the same SubcubeReady is published, and the Streams app counts each
 * partition once. Poison tasks go to the dead-letter topic with the reason.
 *
 * <p>Where the cluster serves share groups, the worker is also a member of the sub-cube queue's share group
 * ({@link SubcubeQueue}): when idle it takes the next sub-cube waiting there, from any partition, so a worker that
 * joins mid-job takes its share of all that still waits. The record's lock is renewed while it is imaged
 * ({@link QueueLease}) and acknowledged when its SubcubeReady is sent; a stopped worker releases it, a dead one's
 * is released by the broker when the member's session ends.
 *
 * <p>A cube job without a shared filesystem ({@link SubcubeTiles#onBus}: a dataset source, or asked for) is imaged
 * into the worker's own scratch directory instead; its planes and beams go to pclean.subcubes
 * ({@link SubcubePublisher}) before the SubcubeReady, and the scratch copy is deleted. Such a task redelivered
 * is imaged again (nothing is kept to report from); the sink keeps one copy of each tile.
 */
public final class ImagingWorker implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ImagingWorker.class);
  /** The MDC key the CLI's log line shows as [job] (ops LogSetup.JOB). */
  private static final String JOB_MDC = "job";
  /** Poll timeout while idle, waiting for a task. */
  private static final Duration IDLE_POLL = Duration.ofMillis(200);
  /** The loop's wait on the task in hand between polls (for its end, and for rebalances). */
  private static final Duration TASK_WAIT = Duration.ofMillis(50);
  /** The default {@link #maxTaskTime}. */
  public static final Duration DEFAULT_MAX_TASK_TIME = Duration.ofHours(1);

  private final Properties clientConfig;
  /** The dataset of the job in hand, replayed once for all its sub-cubes. */
  private final VisibilitySources.Cache sources = new VisibilitySources.Cache();
  private final String workerId;
  private volatile int threads = Runtime.getRuntime().availableProcessors();
  private volatile Duration maxTaskTime = DEFAULT_MAX_TASK_TIME;
  private final JobSpecView jobs;
  private final PartialImager partials;
  private final Path scratch;
  /** Guards the consumer between the imaging thread and a hand-back from a shutdown thread. */
  private final Object lock = new Object();
  private volatile boolean closed;
  private volatile boolean draining;
  private boolean handedBack;  // under lock
  private volatile KafkaConsumer<String, byte[]> consumer;
  /** The sub-cube queue's share consumer (null where the cluster has no share groups). Under lock. */
  private KafkaShareConsumer<String, byte[]> queue;
  private volatile WorkerGroupProtocol protocol;
  private volatile java.util.function.Consumer<PartitionDescriptor> onTaskTaken = t -> { };
  /** Images the task in hand while the consumer thread keeps polling. */
  private final ExecutorService imaging;
  private volatile TaskInHand inHand;

  /** Called when a task is taken, before imaging (tests use it to stop a worker mid-job). */
  public void onTaskTaken(java.util.function.Consumer<PartitionDescriptor> hook) {
    this.onTaskTaken = hook;
  }

  /** models: the worker's view of pclean.models (shared by the workers of one process); scratch under java.io.tmpdir. */
  public ImagingWorker(Properties clientConfig, String workerId, JobSpecView jobs, ModelView models) {
    this(clientConfig, workerId, jobs, models, Path.of(System.getProperty("java.io.tmpdir"), "pclean-worker"));
  }

  /**
   * scratch: this machine's directory for sub-cubes sent over the bus (each worker uses its own sub-directory and
   * leaves nothing behind).
   */
  public ImagingWorker(Properties clientConfig, String workerId, JobSpecView jobs, ModelView models, Path scratch) {
    this.clientConfig = clientConfig;
    this.workerId = workerId;
    this.jobs = jobs;
    this.partials = new PartialImager(models, clientConfig);
    this.scratch = scratch.toAbsolutePath();
    this.imaging = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, workerId + "-imaging");
      t.setDaemon(true);  // as the worker's own thread: a handed-back task's imaging must not keep a process alive
      return t;
    });
  }

  /**
   * How long a row-chunk task waits for the density or model it needs before it fails its job with a reason naming
   * the missing tiles (default {@link PartialImager#DEFAULT_MODEL_WAIT}; {@code pclean worker --model-wait}).
   */
  public ImagingWorker modelWait(Duration wait) {
    partials.modelWait(wait);
    return this;
  }

  /**
   * Gridding threads of this worker's imaging (default all cores): the worker's own setting, not the submitting
   * client's, which knows nothing of the machine running the task.
   */
  public ImagingWorker threads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("worker threads must be >= 1, got " + n);
    }
    this.threads = n;
    partials.threads(n);
    return this;
  }

  /**
   * The longest a task may still run once its partition is being revoked (max.poll.interval.ms): the worker polls
   * every 50 ms while it images, but a revocation waits inside poll for the task in hand, and a member that stays
   * in poll longer is expelled and its task redone elsewhere. Set before {@link #run}.
   */
  public ImagingWorker maxTaskTime(Duration d) {
    if (d.toMillis() < 1000 || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("max task time must lie in [1 s, 24 days], got " + d);
    }
    this.maxTaskTime = d;
    return this;
  }

  /** Speak this group protocol instead of the one chosen for the cluster (--group-protocol). */
  public ImagingWorker groupProtocol(WorkerGroupProtocol protocol) {
    this.protocol = protocol;
    return this;
  }

  public String workerId() {
    return workerId;
  }

  @Override
  public void run() {
    WorkerGroupProtocol chosen = protocol != null ? protocol : WorkerGroupProtocol.forCluster(clientConfig);
    Properties c = new Properties();
    c.putAll(clientConfig);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, Topics.WORKER_GROUP);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    // Continuum tasks after the first cycle are written in the coordinator's exactly-once transactions: a worker
    // must not take one from a transaction that is later aborted (the cycle is then redone, its tasks rewritten).
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A revocation of the partition of the task in hand waits inside poll for the task (TaskKeeper).
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxTaskTime.toMillis()));
    chosen.configure(c);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId);
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    boolean shared = queueServed();
    try (KafkaConsumer<String, byte[]> cons = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, Object> producer = new KafkaProducer<>(p, new StringSerializer(), new BusSerializer());
         KafkaShareConsumer<String, byte[]> q = shared ? new KafkaShareConsumer<>(
             SubcubeQueue.consumerConfig(clientConfig, workerId + "-queue"), new StringDeserializer(),
             new ByteArrayDeserializer()) : null) {
      synchronized (lock) {
        if (handedBack) {
          return;
        }
        consumer = cons;
        queue = q;
      }
      cons.subscribe(List.of(Topics.TASKS.name()), new TaskKeeper(cons, producer));
      if (q != null) {
        q.subscribe(List.of(Topics.SUBCUBE_TASKS.name()));
      }
      LOG.info(workerId + ": joining " + Topics.WORKER_GROUP + " with the " + chosen.description()
          + (q != null ? ", and the sub-cube queue (share group " + Topics.SUBCUBE_QUEUE_GROUP + ")" : ""));
      try {
        pollWhileImaging(cons, producer);
      } finally {
        awaitInHand();  // the producer and consumer stay open until the task in hand has ended
      }
    } catch (WakeupException e) {
      // stopped
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      imaging.shutdown();
      synchronized (lock) {
        consumer = null;
        queue = null;
      }
    }
  }

  /** Whether the cluster serves share groups (then this worker also takes sub-cubes from the queue). */
  private boolean queueServed() {
    try (Admin admin = Admin.create(clientConfig)) {
      return SubcubeQueue.servedBy(admin);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();  // stopped while starting: run() ends at its first poll
      return false;
    }
  }

  /**
   * The consumer thread never stops polling: the task in hand is imaged on the imaging thread while every
   * partition is paused, so the group can move partitions at any time. A worker that joins mid-job is handed its
   * partitions (and the tasks waiting on them) within a heartbeat or two, instead of at the first worker's next
   * poll after its current sub-cube.
   */
  private void pollWhileImaging(KafkaConsumer<String, byte[]> cons, KafkaProducer<String, Object> producer)
      throws InterruptedException {
    while (!closed) {
      TaskInHand t = inHand;
      if (t != null) {
        // The loop's pace while a task is imaged, and its end seen at once. Not the poll's timeout: with every
        // partition paused the consumer of KIP-848's protocol returns from poll at once, and the loop spun a
        // core beside the gridder (9 s of CPU in a 40 s one-worker continuum job).
        awaitBriefly(t);
        if (t.done().isDone()) {
          finish(cons, producer, t);
        } else {
          keepLease(t);
        }
      }
      if (inHand == null && draining) {
        return;
      }
      synchronized (lock) {
        if (handedBack) {
          return;
        }
        if (inHand != null) {
          cons.pause(cons.assignment());
        }
        Duration idle = queue != null ? IDLE_POLL.dividedBy(2) : IDLE_POLL;  // the two polls share the wait
        for (ConsumerRecord<String, byte[]> r : cons.poll(inHand != null ? Duration.ZERO : idle)) {
          if (closed || draining || inHand != null) {
            // Not taken: fetched before the pause or while stopping. Rewound, so it stays for this worker's next
            // poll or, uncommitted, for the partition's next owner.
            cons.seek(new TopicPartition(r.topic(), r.partition()), r.offset());
            continue;
          }
          inHand = new TaskInHand(r, image(r, producer), null);
          cons.pause(cons.assignment());
        }
        if (queue != null && inHand == null && !closed && !draining) {
          for (ConsumerRecord<String, byte[]> r : queue.poll(idle)) {
            if (inHand != null) {
              queue.acknowledge(r, AcknowledgeType.RELEASE);  // one at a time (record_limit makes this rare)
              continue;
            }
            QueueLease lease = new QueueLease(queue, r);
            inHand = new TaskInHand(r, image(r, producer), lease);
            cons.pause(cons.assignment());
          }
        }
      }
    }
  }

  private Future<Void> image(ConsumerRecord<String, byte[]> r, KafkaProducer<String, Object> producer) {
    return imaging.submit(() -> {
      handle(r, producer);
      return null;
    });
  }

  /** Waits up to TASK_WAIT for the task in hand to end (its outcome is read by finish). */
  private static void awaitBriefly(TaskInHand t) throws InterruptedException {
    try {
      t.done().get(TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException | CancellationException e) {
      // still imaging, or ended with a failure that finish reports
    }
  }

  /** The task in hand has ended: flush what it sent, commit it (unless stopped meanwhile) and take the next. */
  private void finish(KafkaConsumer<String, byte[]> cons, KafkaProducer<String, Object> producer, TaskInHand t)
      throws InterruptedException {
    inHand = null;
    try {
      t.done().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InterruptedException ie) {
        throw ie;
      }
      throw new IllegalStateException(workerId + ": task " + t.record().key() + " failed unexpectedly", e.getCause());
    }
    producer.flush();
    if (t.lease() != null) {
      settle(t, closed ? AcknowledgeType.RELEASE : AcknowledgeType.ACCEPT);
    } else if (closed) {
      PcleanMeters.TASKS_REDELIVERED.increment();  // stopped while working: left uncommitted, redelivered
    } else {
      commit(cons, t.record());
    }
    synchronized (lock) {
      if (!handedBack) {
        cons.resume(cons.paused());
      }
    }
  }

  /** Waits for the imaging thread to end the task in hand (a stopped worker's task runs to its end, uncommitted). */
  private void awaitInHand() {
    TaskInHand t = inHand;
    if (t == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        t.done().get(TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        break;
      } catch (TimeoutException e) {
        keepLease(t);  // a queued task's lock is kept until it ends, so no other worker writes it meanwhile
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        LOG.warn(workerId + ": task " + t.record().key() + " ended with " + e.getCause());
        break;
      }
    }
    inHand = null;
    if (t.lease() != null) {
      settle(t, AcknowledgeType.RELEASE);  // the worker is stopping: its task goes back to the queue
    } else {
      PcleanMeters.TASKS_REDELIVERED.increment();  // the worker is stopping: its task was left uncommitted
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Renews a queued task's lock when due (nothing for a task of pclean.tasks, or once handed back). */
  private void keepLease(TaskInHand t) {
    if (t.lease() == null) {
      return;
    }
    synchronized (lock) {
      if (!handedBack) {
        t.lease().keep();
      }
    }
  }

  /**
   * Acknowledges a queued task: ACCEPT when done, RELEASE when this worker stops first (another worker takes it;
   * a sub-cube already made is reported again, not re-imaged, as for a redelivered task of pclean.tasks).
   */
  private void settle(TaskInHand t, AcknowledgeType type) {
    synchronized (lock) {
      if (handedBack) {
        PcleanMeters.TASKS_REDELIVERED.increment();  // the closed share consumer released it
        return;
      }
      if (!t.lease().settle(type) || type == AcknowledgeType.RELEASE) {
        PcleanMeters.TASKS_REDELIVERED.increment();
      }
    }
  }

  /** Commits a finished task, unless it was handed back meanwhile (then its new owner does it again). */
  private void commit(KafkaConsumer<String, byte[]> cons, ConsumerRecord<String, byte[]> r) {
    synchronized (lock) {
      if (handedBack) {
        LOG.info(workerId + ": finished " + r.key() + " after handing it back; not committed");
        PcleanMeters.TASKS_REDELIVERED.increment();
        return;
      }
      try {
        cons.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
      } catch (CommitFailedException | RebalanceInProgressException e) {
        // The group moved on (this member was fenced or is rebalancing): the task is redelivered, and a
        // redelivered task is idempotent (a finished sub-cube is reported again, a gathered chunk posts nothing).
        LOG.warn(workerId + ": commit of " + r.key() + " failed (" + e.getMessage() + "); it will be redelivered");
        PcleanMeters.TASKS_REDELIVERED.increment();
      }
    }
  }

  /** Stops after the current poll; a task in progress is not committed (it will be redelivered). */
  public void stop() {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /**
   * Takes no new task: the task in hand is finished and committed, then the worker leaves the group (its thread
   * ends). A task polled but not yet started is left uncommitted for another member.
   */
  public void drain() {
    draining = true;
  }

  /**
   * Gives the task in hand back to the group now: nothing more is committed and the consumer is closed, so the
   * group reassigns its partitions (and the uncommitted task) at once instead of after the session timeout. The
   * imaging thread may run on until the process exits; what it still publishes is harmless, as consumers are
   * idempotent on (job, partition, cycle). Called from another thread; waits for at most one poll.
   */
  public void handBack(Duration closeTimeout) {
    closed = true;
    synchronized (lock) {
      handedBack = true;
      KafkaConsumer<String, byte[]> c = consumer;
      if (c != null) {
        c.close(closeTimeout);
        consumer = null;
      }
      if (queue != null) {
        queue.close(closeTimeout);  // releases the queued task in hand, if any, for another worker
        queue = null;
      }
    }
  }

  /**
   * A task being imaged: its record (committed when done), the imaging thread's result, and for a task of the
   * sub-cube queue its lease (null for pclean.tasks).
   */
  private record TaskInHand(ConsumerRecord<String, byte[]> record, Future<Void> done, QueueLease lease) {
    TopicPartition partition() {
      return new TopicPartition(record.topic(), record.partition());
    }
  }

  /**
   * Keeps the task in hand with this worker through a rebalance, and logs what the group gives and takes. A
   * revocation of the partition whose task is being imaged waits for the task and commits it (runs on the polling
   * thread, inside poll), so the partition's next owner starts after it; any other partition is given up at once.
   * Without a listener the consumer protocol's client would complete revocations in its background thread.
   */
  private final class TaskKeeper implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> cons;
    private final KafkaProducer<String, Object> producer;

    TaskKeeper(KafkaConsumer<String, byte[]> cons, KafkaProducer<String, Object> producer) {
      this.cons = cons;
      this.producer = producer;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      LOG.debug(workerId + ": assigned " + partitions.size() + " task partition(s) " + numbers(partitions));
      if (inHand != null) {
        cons.pause(partitions);  // one task at a time
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      LOG.debug(workerId + ": revoked " + partitions.size() + " task partition(s) " + numbers(partitions));
      TaskInHand t = inHand;
      if (t == null || !partitions.contains(t.partition())) {
        return;
      }
      LOG.debug(workerId + ": finishing " + t.record().key() + " before giving up its partition");
      try {
        while (!closed && !t.done().isDone()) {
          try {
            t.done().get(200, TimeUnit.MILLISECONDS);
          } catch (TimeoutException | ExecutionException e) {
            // not done yet, or done with an error finish() reports
          }
        }
        if (t.done().isDone()) {
          finish(cons, producer, t);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Fenced: the partitions already have other owners, so nothing can be committed; a task in hand is redone.
      if (!partitions.isEmpty()) {
        LOG.warn(workerId + ": lost " + partitions.size() + " task partition(s) " + numbers(partitions));
      }
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
      return partitions.stream().map(TopicPartition::partition).sorted().toList();
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r, KafkaProducer<String, Object> producer)
      throws InterruptedException {
    PartitionDescriptor task;
    try {
      task = Messages.PARTITION.fromBytes(r.topic(), r.value());
    } catch (BusFormatException e) {
      deadLetter(producer, r, e.getMessage());
      return;
    }
    MDC.put(JOB_MDC, task.getJobId());  // every line logged while on this task names its job
    try {
      handle(r, task, producer);
    } finally {
      MDC.remove(JOB_MDC);
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r, PartitionDescriptor task, KafkaProducer<String, Object> producer)
      throws InterruptedException {
    JobSpec job = jobs.await(task.getJobId(), Duration.ofSeconds(30)).orElse(null);
    if (job == null) {
      deadLetter(producer, r, "no JobSpec for job " + task.getJobId() + " on " + Topics.JOBS.name());
      return;
    }
    if (job.getState() == JobState.FAILED || job.getState() == JobState.DONE
        || (job.getState() == JobState.CONCATENATING
            && (task.getKind() == PartitionKind.ROW_CHUNK || SubcubeTiles.onBus(job)))) {
      // Nothing left to do for this job: a continuum job's cycles are over once it concatenates, and every
      // sub-cube of a bus job is counted (re-imaging one would only be thrown away).
      return;
    }
    LOG.debug(String.format(java.util.Locale.ROOT, "%s: took task %s/%d cycle %d (%s-%d@%d)", workerId,
        task.getJobId(), task.getPartitionIndex(), task.getCycle(), r.topic(), r.partition(), r.offset()));
    onTaskTaken.accept(task);
    PcleanMeters.TASKS_STARTED.increment();
    if (closed) {
      return;  // stopped with the task taken: it is redelivered to another member
    }
    // Who holds what, for the dashboard's worker list and per-channel progress.
    producer.send(new ProducerRecord<>(Topics.EVENTS.name(), Topics.jobKey(task.getJobId()), taskEvent(task,
        JobEventType.STARTED).setMessage(workerId + " took " + (task.getKind() == PartitionKind.ROW_CHUNK
            ? "row chunk " + task.getPartitionIndex() + " for cycle " + task.getCycle()
            : "sub-cube " + task.getPartitionIndex())).build()));
    long t0 = System.nanoTime();
    if (task.getKind() == PartitionKind.ROW_CHUNK) {
      gridRowChunk(job, task, producer, t0);
      return;
    }
    try {
      SubcubeReady ready = SubcubeTiles.onBus(job) ? imageSubcubeToBus(job, task, producer) : imageSubcube(job, task);
      producer.send(new ProducerRecord<>(Topics.PLANES.name(),
          Topics.planeKey(task.getJobId(), task.getPartitionIndex()), ready));
      producer.send(new ProducerRecord<>(Topics.EVENTS.name(), Topics.jobKey(task.getJobId()),
          taskEvent(task, JobEventType.PROGRESS).setIterations(ready.getIterations())
          .setSeconds((System.nanoTime() - t0) / 1e9)
          .setMessage(workerId + " finished sub-cube " + task.getPartitionIndex() + "/" + task.getNumPartitions())
          .build()));
      PcleanMeters.TASKS_DONE.increment();
    } catch (RuntimeException | IOException e) {
      fail(job, task, "sub-cube", e, producer);
    }
  }

  /** Grids a row chunk for the task's cycle and posts its partial tiles (none when already gathered). */
  private void gridRowChunk(JobSpec job, PartitionDescriptor task, KafkaProducer<String, Object> producer, long t0)
      throws InterruptedException {
    try {
      List<ImageTile> tiles = partials.run(job, task);
      double computed = (System.nanoTime() - t0) / 1e9;
      for (ImageTile t : tiles) {
        producer.send(new ProducerRecord<>(Topics.PARTIALS.name(), Topics.partialKey(t), t));
      }
      producer.flush();
      LOG.debug(String.format(java.util.Locale.ROOT, "%s: job %s row chunk %d cycle %d: %.2f s (read when new, weigh,"
          + " grid), %d tiles posted in %.2f s", workerId, task.getJobId(), task.getPartitionIndex(), task.getCycle(),
          computed, tiles.size(), (System.nanoTime() - t0) / 1e9 - computed));
      producer.send(new ProducerRecord<>(Topics.EVENTS.name(), Topics.jobKey(task.getJobId()),
          taskEvent(task, JobEventType.PROGRESS).setSeconds((System.nanoTime() - t0) / 1e9)
          .setMessage(workerId + " gridded row chunk " + task.getPartitionIndex() + "/" + task.getNumPartitions()
              + " for cycle " + task.getCycle() + " (" + tiles.size() + " tiles)")
          .build()));
      PcleanMeters.TASKS_DONE.increment();
    } catch (RuntimeException e) {
      fail(job, task, "row chunk", e, producer);
    }
  }

  /** An event about a task: its partition, plan size, cycle (row chunks) or channels (sub-cubes), and this worker. */
  private JobEvent.Builder taskEvent(PartitionDescriptor task, JobEventType type) {
    JobEvent.Builder b = JobEvent.newBuilder().setJobId(task.getJobId()).setType(type)
        .setPartitionIndex(task.getPartitionIndex()).setNumPartitions(task.getNumPartitions()).setWorker(workerId)
        .setTimestampMillis(System.currentTimeMillis());
    if (task.getKind() == PartitionKind.ROW_CHUNK) {
      b.setCycle(task.getCycle());
    } else {
      b.setChanStart(task.getChanStart()).setChanEnd(task.getChanEnd());
    }
    return b;
  }

  private void fail(JobSpec job, PartitionDescriptor task, String what, Exception e,
      KafkaProducer<String, Object> producer) {
    LOG.warn("job " + task.getJobId() + " " + what + " " + task.getPartitionIndex() + " failed: " + e.getMessage());
    PcleanMeters.TASKS_FAILED.increment();
    JobState now = jobs.get(job.getJobId()).map(JobSpec::getState).orElse(job.getState());
    if (now == JobState.CONCATENATING || now == JobState.DONE || now == JobState.FAILED) {
      return;  // the job ended meanwhile (this was a late redelivery): do not overwrite its outcome
    }
    JobSpec failed = JobSpec.newBuilder(job).setState(JobState.FAILED)
        .setError(what + " " + task.getPartitionIndex() + ": " + e.getMessage()).build();
    producer.send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(job.getJobId()), failed));
    producer.send(new ProducerRecord<>(Topics.EVENTS.name(), Topics.jobKey(job.getJobId()), JobEvent.newBuilder()
        .setJobId(job.getJobId()).setType(JobEventType.FAILED).setPartitionIndex(task.getPartitionIndex())
        .setMessage(e.getMessage()).setTimestampMillis(System.currentTimeMillis()).build()));
  }

  private SubcubeReady imageSubcube(JobSpec job, PartitionDescriptor task) throws IOException {
    String output = task.getOutput();
    Path done = Path.of(output + ".done");
    List<BeamRecord> beams = new ArrayList<>();
    int iterations = 0;
    int stop = 0;
    int nchan = task.getChanEnd() - task.getChanStart() + 1;
    if (Files.exists(done)) {
      // Redelivered after the sub-cube was finished: report it again, image nothing.
      try (CasaImage img = CasaImage.open(Path.of(output + ".image"))) {
        for (int c = 0; c < nchan; c++) {
          Beam b = img.beam(c, 0);
          beams.add(new BeamRecord(b.majorArcsec(), b.minorArcsec(), b.paDeg()));
        }
      }
    } else {
      Files.createDirectories(Path.of(output).toAbsolutePath().getParent());
      ImagingResult result = runSerial(job, task, output);
      beams = beams(result);
      stop = lastStop(result);
      iterations = result.totalIterations();
      Files.writeString(done, workerId + "\n");  // written last: the sub-cube is complete
    }
    return ready(job, task, output, beams, iterations, stop);
  }

  /**
   * No shared filesystem: images into this worker's scratch directory, sends the sub-cube to pclean.subcubes
   * (acknowledged before the SubcubeReady is returned for publishing), and removes the scratch copy whatever
   * happens, so the worker's disk holds nothing between tasks.
   */
  private SubcubeReady imageSubcubeToBus(JobSpec job, PartitionDescriptor task, KafkaProducer<String, Object> producer)
      throws IOException, InterruptedException {
    Path mine = scratch.resolve(workerId.replaceAll("[^A-Za-z0-9._-]", "_"));
    Path jobDir = mine.resolve(job.getJobId());
    String output = OutputNames.subcube(mine.toString(), job.getJobId(), task.getPartitionIndex());
    try {
      Files.createDirectories(jobDir);
      ImagingResult result = runSerial(job, task, output);
      long t0 = System.nanoTime();
      SubcubePublisher.Sent sent = SubcubePublisher.publish(producer, job, task, output, workerId);
      LOG.info(String.format(java.util.Locale.ROOT, "%s: job %s sub-cube %d sent to %s: %d records, %d bytes in"
          + " %.2f s", workerId, job.getJobId(), task.getPartitionIndex(), Topics.SUBCUBES.name(), sent.records(),
          sent.bytes(), (System.nanoTime() - t0) / 1e9));
      return ready(job, task, Topics.SUBCUBES.name() + ":" + job.getJobId() + "/" + task.getPartitionIndex(),
          beams(result), result.totalIterations(), lastStop(result));
    } finally {
      TableDirectories.delete(jobDir);
      try {
        Files.deleteIfExists(mine);
      } catch (DirectoryNotEmptyException e) {
        // another job's sub-cube of this worker is still there (it removes its own)
      }
    }
  }

  /** The serial engine over the task's channels, writing the sub-cube's products at output. */
  private ImagingResult runSerial(JobSpec job, PartitionDescriptor task, String output) {
    TcleanParams all = ImagingParamsCodec.of(job, threads);
    TcleanParams.Builder subBuilder = all.toBuilder().imagename(output).specmode(TcleanParams.SpecMode.CUBE)
        .nchan(-1).fits(false).savemodel(false).restart(false);
    Path startSlice = null;
    if (all.startmodel() != null) {
      startSlice = Path.of(output + ".startmodel");
      sliceChannels(all.startmodel(), job.getNumChannels(), task.getChanStart(), task.getChanEnd(), startSlice);
      subBuilder.startmodel(startSlice);
    } else if (restartFrom(all, job.getNumChannels(), task, output)) {
      subBuilder.restart(true);  // the sub-cube restarts from its channels of the set, sliced into its scratch
    }
    try (VisibilitySource source = sources.open(all.vis(), all.dataset(), all.timerange(), clientConfig)) {
      if (all.regridsChannels()) {
        // The task's output channels as a grid of their own, fed by the span of input channels they need.
        RegriddedCube.Slice slice = RegriddedCube.of(all, source).slice(task.getChanStart(), task.getChanEnd());
        subBuilder.start(new SpectralAxis.Value(SpectralAxis.Kind.FREQUENCY, slice.grid().freq0()))
            .width(new SpectralAxis.Value(SpectralAxis.Kind.FREQUENCY, slice.grid().dfreq()))
            .nchan(slice.grid().nchan());
        selectChannels(subBuilder, all, source, slice.firstInput(), slice.lastInput());
      } else {
        selectChannels(subBuilder, all, source, task.getChanStart(), task.getChanEnd());
      }
      // perchanweightdensity false: the one density of the whole cube, not of this sub-cube's channels.
      return new SerialImager(subBuilder.build()).runSubcube(source, SerialImager.cubeDensity(all, source));
    } finally {
      if (startSlice != null) {
        TableDirectories.delete(startSlice);
      }
    }
  }

  /**
   * Selects channels first..last of the whole selection's channels (the loader's order, frequency order over
   * several spws) for a sub-cube: some spws' channels, or a range of the one spw's.
   */
  private static void selectChannels(TcleanParams.Builder sub, TcleanParams all, VisibilitySource source, int first,
      int last) {
    if (all.selection().several()) {
      sub.spwSelection(VisibilityLoader.slice(source.metadata(), all.selection(), first, last));
    } else {
      int chan0 = all.chanRange() == null ? 0 : all.chanRange()[0];
      sub.chanRange(chan0 + first, chan0 + last);
    }
  }

  /**
   * A cube restart: the task's channels of the set's .model (and .mask, and with calcres/calcpsf false the
   * .residual, .psf and .sumwt it reuses) sliced into the sub-cube's own names at output, read from imagename as a
   * startmodel is (the workers see the client's filesystem); false when the set has no model yet (a fresh run).
   */
  private static boolean restartFrom(TcleanParams all, int jobChannels, PartitionDescriptor task, String output) {
    StartImages set = all.restart() ? StartImages.of(all) : null;
    if (set == null || set.models().isEmpty()) {
      return false;
    }
    OutputNames sub = new OutputNames(output);
    TableDirectories.delete(sub.mask());  // a redelivered task's leftover must not become this restart's mask
    sliceChannels(set.models().get(0), jobChannels, task.getChanStart(), task.getChanEnd(),
        sub.path(OutputNames.Product.MODEL));
    if (set.mask() != null) {
      sliceChannels(set.mask(), jobChannels, task.getChanStart(), task.getChanEnd(), sub.mask());
    }
    for (var reused : set.reused().entrySet()) {
      sliceChannels(reused.getValue().get(0), jobChannels, task.getChanStart(), task.getChanEnd(),
          sub.path(reused.getKey()));
    }
    return true;
  }

  /**
   * Channels first..last of the job's start model, as an image of its own for the sub-cube's run (which reads its
   * planes from 0): the same pixels, units and coordinates, the first channel's frequency shifted to first's.
   */
  static void sliceChannels(Path model, int jobChannels, int first, int last, Path slice) {
    try (CasaImage in = CasaImage.open(model)) {
      ImageGeometry g = in.geometry();
      if (g.nchan() != jobChannels) {
        throw new IllegalArgumentException("startmodel " + model + " holds " + g.nchan() + " channel(s), the cube "
            + jobChannels);
      }
      TableDirectories.delete(slice);  // a redelivered task's leftover
      ImageGeometry s = new ImageGeometry(g.nx(), g.ny(), g.stokes(),
          last - first + 1, g.ra(), g.dec(), g.cellX(), g.cellY(), g.freq0() + first * g.dfreq(), g.dfreq(),
          g.restFreq());
      try (CasaImage out = CasaImage.create(slice, s)) {
        out.setUnits(in.units());
        for (int c = first; c <= last; c++) {
          out.writePlane(0, c - first, in.readPlane(0, c));
        }
      }
    }
  }

  private static List<BeamRecord> beams(ImagingResult result) {
    List<BeamRecord> beams = new ArrayList<>();
    for (ImagingResult.PlaneSummary s : result.planes()) {
      beams.add(new BeamRecord(s.beam().majorArcsec(), s.beam().minorArcsec(), s.beam().paDeg()));
    }
    return beams;
  }

  private static int lastStop(ImagingResult result) {
    List<ImagingResult.PlaneSummary> planes = result.planes();
    return planes.isEmpty() ? 0 : planes.get(planes.size() - 1).stop().code();
  }

  private SubcubeReady ready(JobSpec job, PartitionDescriptor task, String imagename, List<BeamRecord> beams,
      int iterations, int stop) {
    return SubcubeReady.newBuilder().setJobId(job.getJobId()).setAttempt(job.getAttempt())
        .setPartitionIndex(task.getPartitionIndex()).setNumPartitions(task.getNumPartitions())
        .setChanStart(task.getChanStart()).setChanEnd(task.getChanEnd()).setImagename(imagename).setBeams(beams)
        .setIterations(iterations).setStopCode(stop).setHost(workerId).build();
  }

  private static void deadLetter(KafkaProducer<String, Object> producer, ConsumerRecord<String, byte[]> r, String why) {
    LOG.warn("dead-lettering " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + why);
    producer.send(new ProducerRecord<>(Topics.DEAD_LETTER.name(), r.key(),
        DeadLetters.of(r.topic(), r.partition(), r.offset(), r.key(), r.value(), why)));
  }
}

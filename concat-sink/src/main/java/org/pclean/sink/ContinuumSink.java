package org.pclean.sink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PlaneGeometry;
import org.pclean.bus.avro.ProductEntry;
import org.pclean.bus.avro.ProductManifest;
import org.pclean.bus.avro.ProductRecord;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.ImageSetWriter;
import org.pclean.casacore.ObservationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a continuum job's products are written: reads pclean.products (a manifest, then the tiles of every
 * product image, all keyed by job so they arrive in order), assembles the images and writes them as CASA images
 * with the restoring beam (and FITS when asked), then marks the job DONE on pclean.jobs with a JobEvent — or
 * FAILED with the reason, leaving no half-written product set. Offsets are committed only past finished jobs, so
 * a sink that stops mid-job reads that job's records again.
 */
public final class ContinuumSink implements Runnable {
  /** The consumer group of this sink's instances. */
  public static final String GROUP = "pclean-continuum-sink";
  private static final Logger LOG = LoggerFactory.getLogger(ContinuumSink.class);

  /** A job whose tiles are still arriving. */
  private static final class Assembly {
    final ProductManifest manifest;
    final int partition;
    final long manifestOffset;
    final float[][] images;
    int tiles;

    Assembly(ProductManifest m, int partition, long offset) {
      manifest = m;
      this.partition = partition;
      manifestOffset = offset;
      images = new float[m.getProducts().size()][];
      for (int i = 0; i < images.length; i++) {
        ProductEntry e = m.getProducts().get(i);
        images[i] = new float[e.getNx() * e.getNy()];
      }
    }
  }

  private final Properties clientConfig;
  private final Map<String, Assembly> open = new HashMap<>();
  private volatile boolean closed;
  private volatile KafkaConsumer<String, byte[]> consumer;

  public ContinuumSink(Properties clientConfig) {
    this.clientConfig = clientConfig;
  }

  @Override
  public void run() {
    try (KafkaConsumer<String, byte[]> cons = SinkClients.consumer(clientConfig, GROUP);
         KafkaProducer<String, Object> producer = SinkClients.producer(clientConfig)) {
      consumer = cons;
      cons.subscribe(List.of(Topics.PRODUCTS.name()));
      while (!closed) {
        Map<TopicPartition, Long> next = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : cons.poll(Duration.ofMillis(200))) {
          handle(r, producer);
          next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        }
        SinkClients.commitBelowOpenJobs(cons, next,
            open.values().stream().map(a -> new long[] {a.partition, a.manifestOffset}).toList());
      }
    } catch (WakeupException e) {
      // stopped
    }
  }

  public void stop() {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r, KafkaProducer<String, Object> producer) {
    ProductRecord rec;
    try {
      rec = Messages.PRODUCT.fromBytes(r.topic(), r.value());
    } catch (BusFormatException e) {
      LOG.warn(e.getMessage());
      return;
    }
    if (rec == null) {
      return;
    }
    String id = rec.getJobId() + "/" + rec.getAttempt();
    if (rec.getManifest() != null) {
      open.put(id, new Assembly(rec.getManifest(), r.partition(), r.offset()));
      return;
    }
    Assembly a = open.get(id);
    if (a == null || rec.getTile() == null || rec.getProductIndex() < 0
        || rec.getProductIndex() >= a.images.length) {
      return;  // a tile of a job already written (or whose manifest we never saw)
    }
    ImageTiles.addInto(rec.getTile(), a.images[rec.getProductIndex()]);
    if (++a.tiles == a.manifest.getNumTiles()) {
      open.remove(id);
      JobSpec outcome = write(a);
      SinkClients.publishOutcome(producer, outcome, "products written to " + a.manifest.getImagename() + " ("
          + a.manifest.getStopMessage() + ")", a.manifest.getIterations(), a.manifest.getPeakResidual());
    }
  }

  /** What the planner recorded of the observation for the headers (as the serial engine writes them). */
  private static ObservationInfo observation(PlaneGeometry g) {
    return g == null ? null
        : new ObservationInfo(g.getTelescope(), g.getObserver(), g.getObsDateMjdSec(), g.getFrame(), g.getRestFreq());
  }

  /** Writes the product set; the job DONE, or FAILED with the reason and nothing left on disk. */
  JobSpec write(Assembly a) {
    ProductManifest m = a.manifest;
    ImageGeometry g = new ImageGeometry(m.getNx(), m.getNy(), "I", 1, m.getRa(), m.getDec(), m.getCellX(),
        m.getCellY(), m.getFreq0(), m.getDfreq(), m.getFreq0());  // tclean mfs: rest frequency = band centre
    Beam beam = new Beam(m.getBeamMajorArcsec(), m.getBeamMinorArcsec(), m.getBeamPaDeg());
    ImageSetWriter writer = new ImageSetWriter(g, false, observation(m.getJob().getGeometry()));
    try {
      for (int i = 0; i < a.images.length; i++) {
        ProductEntry e = m.getProducts().get(i);
        writer.plane(Path.of(e.getPath()), e.getUnits(), 0, a.images[i], e.getWithBeam() ? beam : null);
      }
      writer.finish(m.getFits());
      LOG.info("job " + m.getJob().getJobId() + ": products written to " + m.getImagename());
      return JobSpec.newBuilder(m.getJob()).setState(JobState.DONE).build();
    } catch (RuntimeException e) {
      writer.abort();
      return JobSpec.newBuilder(m.getJob()).setState(JobState.FAILED)
          .setError("writing the products failed: " + e.getMessage()).build();
    }
  }
}

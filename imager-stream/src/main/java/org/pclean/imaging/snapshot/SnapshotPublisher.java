package org.pclean.imaging.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.bus.avro.TileKind;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.casacore.Beam;
import org.pclean.casacore.ImageGeometry;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.cycles.IterationControl;
import org.pclean.ingest.source.DumpTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images closed windows (one, or several merged) with the serial engine in memory and publishes the snapshot:
 * the {@link SnapshotReady} first (what latency is measured to), then the image as {@link ImageTile}s of kind
 * IMAGE, all under {@link Topics#snapshotKey}. The FITS file is written later, off the latency path.
 */
final class SnapshotPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

  /** A published snapshot and what its FITS file needs. */
  record Published(SnapshotReady ready, float[] image, ImageGeometry geometry, Beam beam) {}

  private final KafkaProducer<String, Object> producer;
  private final SnapshotImager.Settings settings;

  SnapshotPublisher(KafkaProducer<String, Object> producer, SnapshotImager.Settings settings) {
    this.producer = producer;
    this.settings = settings;
  }

  /** "[60000.500 .. 60010.500) (dumps 0..0)" for the log. */
  static String describe(ClosedWindow w) {
    return String.format(Locale.ROOT, "[%.3f .. %.3f) (dumps %d..%d)", w.window().start(), w.window().end(),
        w.firstSequence(), w.lastSequence());
  }

  Published imageAndPublish(DatasetDescriptor d, List<ClosedWindow> windows) {
    ClosedWindow first = windows.get(0);
    double start = Double.POSITIVE_INFINITY;
    double end = Double.NEGATIVE_INFINITY;
    long firstSeq = Long.MAX_VALUE;
    long lastSeq = Long.MIN_VALUE;
    int dumps = 0;
    int missing = 0;
    long closedAt = 0;
    DumpTable.Builder table = new DumpTable.Builder(d, "dataset " + d.getDataset() + " window "
        + describe(first));
    for (ClosedWindow w : windows) {
      start = Math.min(start, w.window().start());
      end = Math.max(end, w.window().end());
      if (w.dumps() > 0) {
        firstSeq = Math.min(firstSeq, w.firstSequence());
        lastSeq = Math.max(lastSeq, w.lastSequence());
      }
      dumps += w.dumps();
      missing += w.missingDumps();
      closedAt = Math.max(closedAt, w.closedAtMillis());
      for (VisibilityChunk c : w.chunks()) {
        table.add(c);
      }
    }
    int nx = settings.imaging().nx();
    int ny = settings.imaging().ny();
    String key = Topics.snapshotKey(d.getDataset(), start);
    SnapshotReady.Builder ready = SnapshotReady.newBuilder().setDataset(d.getDataset()).setWindowStart(start)
        .setWindowEnd(end).setFirstSequence(dumps == 0 ? -1 : firstSeq).setLastSequence(dumps == 0 ? -1 : lastSeq)
        .setDumps(dumps).setMissingDumps(missing).setMergedWindows(windows.size()).setNx(nx).setNy(ny)
        .setClosedAtMillis(closedAt).setFitsPath(null).setNumTiles(0);
    if (dumps == 0) {
      LOG.warn("window " + describe(first) + " of " + d.getDataset() + " holds no whole dump: reporting it"
          + " without an image");
      return publish(key, empty(ready), null, null, null);
    }
    SerialImager.MfsImage m;
    try (DumpTable source = table.build(false)) {
      m = new SerialImager(settings.imaging()).imageMfs(source);
    } catch (IllegalArgumentException e) {
      LOG.warn("window " + describe(first) + " of " + d.getDataset() + " cannot be imaged (" + e.getMessage()
          + "): reporting it without an image");
      return publish(key, empty(ready), null, null, null);
    }
    float[] image = m.image();
    int peakAt = 0;
    for (int i = 1; i < image.length; i++) {
      if (Math.abs(image[i]) > Math.abs(image[peakAt])) {
        peakAt = i;
      }
    }
    Beam beam = m.plane().beam();
    ready.setVisibilities(m.samples()).setPeak(image[peakAt]).setPeakX(peakAt % nx).setPeakY(peakAt / nx)
        .setRms(IterationControl.robustRms(image)).setBeamMajorArcsec(beam.majorArcsec())
        .setBeamMinorArcsec(beam.minorArcsec()).setBeamPaDeg(beam.paDeg()).setIterations(m.plane().iterations())
        .setNumTiles(ImageTiles.count(nx, ny)).setRa(m.geometry().ra()).setDec(m.geometry().dec())
        .setCellX(m.geometry().cellX()).setCellY(m.geometry().cellY());
    if (settings.fits()) {
      ready.setFitsPath(SnapshotFits.path(settings.imaging().imagename(), start).toAbsolutePath().toString());
    }
    return publish(key, ready.setReadyAtMillis(System.currentTimeMillis()).build(), image, m.geometry(), beam);
  }

  private static SnapshotReady empty(SnapshotReady.Builder ready) {
    return ready.setVisibilities(0).setPeak(Double.NaN).setPeakX(-1).setPeakY(-1).setRms(Double.NaN)
        .setBeamMajorArcsec(0).setBeamMinorArcsec(0).setBeamPaDeg(0).setIterations(0)
        .setReadyAtMillis(System.currentTimeMillis()).build();
  }

  /** Sends the SnapshotReady, then the tiles, and waits until the broker has them all. */
  private Published publish(String key, SnapshotReady ready, float[] image, ImageGeometry g, Beam beam) {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    acks.add(producer.send(new ProducerRecord<>(Topics.SNAPSHOTS.name(), key, ready)));
    if (image != null) {
      ImageTile template = ImageTile.newBuilder().setJobId(key).setAttempt(0).setCycle(0).setPartitionIndex(-1)
          .setKind(TileKind.IMAGE).setTerm(0).setChannel(0).setTileIndex(0).setX0(0).setY0(0).setWidth(0)
          .setHeight(0).setImageNx(ready.getNx()).setImageNy(ready.getNy()).setSumWeight(0).setNumPartitions(0)
          .setPixels(java.nio.ByteBuffer.allocate(0)).build();
      for (ImageTile t : ImageTiles.split(image, ready.getNx(), ready.getNy(), template)) {
        acks.add(producer.send(new ProducerRecord<>(Topics.SNAPSHOTS.name(), key, t)));
      }
    }
    try {
      for (Future<RecordMetadata> f : acks) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing snapshot " + key);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the broker refused snapshot " + key + ": " + e.getCause().getMessage(),
          e.getCause());
    }
    LOG.info(String.format(Locale.ROOT, "snapshot %s: %d dump(s)%s, %d vis, peak %.4g Jy/beam at (%d, %d), rms %.3g,"
            + " %d ms after close", key, ready.getDumps(),
        ready.getMergedWindows() > 1 ? " from " + ready.getMergedWindows() + " merged windows" : "",
        ready.getVisibilities(), ready.getPeak(), ready.getPeakX(), ready.getPeakY(), ready.getRms(),
        ready.getReadyAtMillis() - ready.getClosedAtMillis()));
    return new Published(ready, image, g, beam);
  }

  void writeFits(Published p) {
    try {
      SnapshotFits.write(Path.of(p.ready().getFitsPath()), p.geometry(), p.image(), p.beam(), p.ready().getDataset());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p.ready().getFitsPath(), e);
    }
  }
}

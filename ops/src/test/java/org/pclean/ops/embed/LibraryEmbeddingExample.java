package org.pclean.ops.embed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.ImagingResult;
import org.pclean.imaging.snapshot.SnapshotImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.stream.StreamPublisher;
import org.pclean.ops.PClean;
import org.pclean.ops.broker.EmbeddedKafkaBroker;

/**
 * pclean embedded in a plain JVM program, the way a site's own Java service would use it — no CLI classes: an
 * embedded broker, a snapshot subscription with a listener, a live stream of a simulated observation, then a
 * replay of the stream with new parameters. Prints one line per step; the test that runs it checks them.
 *
 * <p>Usage: {@code java -cp <pclean classpath> org.pclean.ops.embed.LibraryEmbeddingExample <work dir>}
 */
public final class LibraryEmbeddingExample {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  private LibraryEmbeddingExample() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Files.createDirectories(work);
    Path ms = work.resolve("obs.ms");
    double cell = 4 * ARCSEC;
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", Math.toRadians(150), Math.toRadians(40), 4, 1.4e9, 32e6, "RR LL",
            -0.1, 0.1, 60, 60000, 0.0, 3),
        List.of(new MsSimulator.PointSource(10 * cell, 6 * cell, 1.0, 0.0)));
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"))) {
      Properties bus = PClean.client(broker.bootstrapServers());
      TcleanParams snap = PClean.builder().dataset("site1").imagename(work.resolve("snap/site1").toString())
          .imsize(96, 96).cell(cell, cell).datacolumn(org.pclean.casacore.DataColumn.DATA).threads(1).build();
      List<SnapshotReady> seen = new CopyOnWriteArrayList<>();
      try (SnapshotImager snapshots = PClean.snapshots(bus, new SnapshotImager.Settings(snap, 0, null, false),
          (ready, image) -> seen.add(ready))) {
        StreamPublisher.Summary s = PClean.stream(ms, new StreamPublisher.Settings("site1", 50), bus);
        System.out.printf(Locale.ROOT, "streamed %d dumps%n", s.dumps());
        long deadline = System.nanoTime() + 60_000_000_000L;
        // An imager that falls behind merges waiting windows into one snapshot: count the dumps they image.
        while (seen.stream().mapToInt(SnapshotReady::getDumps).sum() < s.dumps() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        System.out.printf(Locale.ROOT, "snapshots %d of %d dumps%n", seen.size(),
            seen.stream().mapToInt(SnapshotReady::getDumps).sum());
        SnapshotReady last = seen.get(seen.size() - 1);
        System.out.printf(Locale.ROOT, "last snapshot peak %.4f at %d,%d%n", last.getPeak(), last.getPeakX(),
            last.getPeakY());
      }
      TcleanParams replay = PClean.builder().dataset("site1").imagename(work.resolve("replay").toString())
          .imsize(96, 96).cell(cell, cell).datacolumn(org.pclean.casacore.DataColumn.DATA)
          .weighting(TcleanParams.WeightingMode.BRIGGS).robust(0).niter(200).threads(1).build();
      ImagingResult r = PClean.replay(replay, bus);
      System.out.printf(Locale.ROOT, "replayed %d products, model flux %.4f%n", r.products().size(),
          r.planes().get(0).modelFlux());
    }
  }
}

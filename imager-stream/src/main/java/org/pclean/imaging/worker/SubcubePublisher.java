package org.pclean.imaging.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.SubcubeTiles;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.BeamRecord;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.SubcubeManifest;
import org.pclean.bus.avro.SubcubeProduct;
import org.pclean.bus.avro.SubcubeRecord;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;

/**
 * Sends a finished sub-cube from a worker's scratch directory to pclean.subcubes: first a manifest (each
 * product's geometry, units and per-plane beams, and the number of tiles), then every plane of every product as
 * image tiles, all keyed by the job so they stay in order behind their manifest. Returns only once the broker has
 * acknowledged every record, so the SubcubeReady the worker publishes next never announces a sub-cube the sink
 * cannot have. Sending the same sub-cube again (a redelivered task) adds nothing at the sink: it keeps one copy
 * per (sub-cube, product, plane, tile).
 */
final class SubcubePublisher {
  /** What went onto the topic: records and their serialized bytes (key + value). */
  record Sent(int records, long bytes) {}

  private SubcubePublisher() {}

  /** prefix: the sub-cube's image-name prefix in the scratch directory ({@code <prefix>.image} ...). */
  static Sent publish(Producer<String, Object> producer, JobSpec job, PartitionDescriptor task, String prefix,
      String host) throws IOException, InterruptedException {
    List<Product> products = new ArrayList<>();
    List<SubcubeProduct> entries = new ArrayList<>();
    int numTiles = 0;
    for (Product p : Product.values()) {
      Path path = Path.of(prefix + "." + p.suffix());
      if (!Files.isDirectory(path)) {
        continue;  // a product this run does not write; the sink checks every sub-cube lists the same set
      }
      SubcubeProduct e = describe(p, path);
      products.add(p);
      entries.add(e);
      numTiles += e.getNchan() * ImageTiles.count(e.getNx(), e.getNy());
    }
    String key = SubcubeTiles.key(job.getJobId());
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    SubcubeManifest manifest = SubcubeManifest.newBuilder().setNumPartitions(task.getNumPartitions())
        .setChanStart(task.getChanStart()).setChanEnd(task.getChanEnd()).setHost(host).setNumTiles(numTiles)
        .setProducts(entries).build();
    acks.add(producer.send(new ProducerRecord<>(Topics.SUBCUBES.name(), key, record(job, task).setManifest(manifest)
        .build())));
    for (Product p : products) {
      // One image open at a time, one plane in memory at a time: the producer's buffer bounds what is in flight.
      try (CasaImage img = CasaImage.open(Path.of(prefix + "." + p.suffix()))) {
        int[] shape = img.shape();
        for (int c = 0; c < shape[3]; c++) {
          ImageTile template = ImageTile.newBuilder().setJobId(job.getJobId()).setAttempt(job.getAttempt())
              .setCycle(0).setPartitionIndex(task.getPartitionIndex()).setKind(SubcubeTiles.kind(p)).setTerm(0)
              .setChannel(c).setTileIndex(0).setX0(0).setY0(0).setWidth(0).setHeight(0).setImageNx(shape[0])
              .setImageNy(shape[1]).setNumPartitions(task.getNumPartitions()).setPixels(ByteBuffer.allocate(0))
              .build();
          for (ImageTile t : ImageTiles.split(img.readPlane(0, c), shape[0], shape[1], template)) {
            acks.add(producer.send(new ProducerRecord<>(Topics.SUBCUBES.name(), key, record(job, task).setTile(t)
                .build())));
          }
        }
      }
    }
    long bytes = 0;
    for (Future<RecordMetadata> f : acks) {
      try {
        RecordMetadata m = f.get();
        bytes += Math.max(0, m.serializedKeySize()) + Math.max(0, m.serializedValueSize());
      } catch (ExecutionException e) {
        throw new IOException("cannot publish sub-cube " + task.getPartitionIndex() + " on " + Topics.SUBCUBES.name()
            + ": " + e.getCause().getMessage(), e.getCause());
      }
    }
    return new Sent(acks.size(), bytes);
  }

  private static SubcubeRecord.Builder record(JobSpec job, PartitionDescriptor task) {
    return SubcubeRecord.newBuilder().setJobId(job.getJobId()).setAttempt(job.getAttempt())
        .setPartitionIndex(task.getPartitionIndex()).setManifest(null).setTile(null);
  }

  /** A product's manifest entry, read from its CASA image (Stokes I only: tiles carry no Stokes index). */
  private static SubcubeProduct describe(Product p, Path path) {
    try (CasaImage img = CasaImage.open(path)) {
      ImageGeometry g = img.geometry();
      if (img.shape()[2] != 1) {
        throw new IllegalStateException("sub-cube image " + path + " has " + img.shape()[2]
            + " Stokes planes; sub-cubes travel on the bus with one");
      }
      List<BeamRecord> beams = new ArrayList<>();
      if (img.hasPerPlaneBeams() || img.beam(0, 0).isPresent()) {
        for (int c = 0; c < g.nchan(); c++) {
          Beam b = img.beam(c, 0);
          beams.add(new BeamRecord(b.majorArcsec(), b.minorArcsec(), b.paDeg()));
        }
      }
      return SubcubeProduct.newBuilder().setKind(SubcubeTiles.kind(p)).setUnits(img.units()).setNx(g.nx())
          .setNy(g.ny()).setStokes(g.stokes()).setNchan(g.nchan()).setRa(g.ra()).setDec(g.dec())
          .setCellX(g.cellX()).setCellY(g.cellY()).setFreq0(g.freq0()).setDfreq(g.dfreq())
          .setRestFreq(g.restFreq()).setBeams(beams).build();
    }
  }
}

package org.pclean.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.pclean.bus.avro.AntennaRecord;
import org.pclean.bus.avro.BeamRecord;
import org.pclean.bus.avro.DataDescriptionRecord;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.DeadLetter;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.PartitionKind;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.bus.avro.SpectralWindowRecord;
import org.pclean.bus.avro.SubcubeReady;
import org.pclean.bus.avro.TileKind;
import org.pclean.bus.avro.VisibilityChunk;

class MessagesTest {
  private static <T extends org.apache.avro.specific.SpecificRecord> T roundTrip(AvroSerde<T> serde, T record) {
    byte[] bytes = serde.serializer().serialize("t", record);
    assertEquals((byte) 0xC3, bytes[0]);  // single-object encoding marker
    assertEquals((byte) 0x01, bytes[1]);
    T back = serde.deserializer().deserialize("t", bytes);
    assertEquals(record, back);
    return back;
  }

  @Test
  void everyMessageRoundTripsIncludingNullsAndEmptyArrays() {
    roundTrip(Messages.JOB_SPEC, JobSpec.newBuilder().setJobId("j1").setState(JobState.RUNNING).setMode(JobMode.CUBE)
        .setVis("/data/x.ms").setImagename("out/cube")
        .setNumPartitions(4).setNumChannels(64).build());
    roundTrip(Messages.JOB_SPEC, JobSpec.newBuilder().setJobId("j2").setState(JobState.FAILED).setMode(JobMode.CONTINUUM)
        .setVis("v").setImagename("i").setError("boom").build());
    roundTrip(Messages.PARTITION, PartitionDescriptor.newBuilder().setJobId("j1").setPartitionIndex(2)
        .setNumPartitions(4).setKind(PartitionKind.SUBCUBE).setChanStart(32).setChanEnd(47).setOutput("o").build());
    roundTrip(Messages.PARTITION, PartitionDescriptor.newBuilder().setJobId("j1").setPartitionIndex(0)
        .setNumPartitions(2).setKind(PartitionKind.ROW_CHUNK).setChanStart(0).setChanEnd(63).setRowStart(0L)
        .setRowEnd(1000L).setCycle(3).setOutput("").build());
    roundTrip(Messages.VISIBILITY_CHUNK, VisibilityChunk.newBuilder().setDataset("d").setSpw(0).setRowStart(0)
        .setNrow(0).setChanStart(0).setNchan(0).setCorrTypes(List.of()).setFreq(List.of())
        .setUvw(ByteBuffer.allocate(0)).setVis(ByteBuffer.allocate(0)).setFlags(ByteBuffer.allocate(0))
        .setWeights(ByteBuffer.allocate(0)).build());
    ImageTile tile = roundTrip(Messages.IMAGE_TILE, ImageTile.newBuilder().setJobId("j").setCycle(1).setTerm(0)
        .setPartitionIndex(0).setKind(TileKind.PSF).setTileIndex(3).setX0(512).setY0(0).setWidth(2).setHeight(1)
        .setImageNx(1024).setImageNy(1024).setPixels(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).build());
    assertEquals(8, tile.getPixels().remaining());
    roundTrip(Messages.SUBCUBE_READY, SubcubeReady.newBuilder().setJobId("j").setPartitionIndex(1)
        .setNumPartitions(2).setChanStart(8).setChanEnd(15).setImagename("sub")
        .setBeams(List.of(new BeamRecord(3.0, 2.0, 45.0))).build());
    roundTrip(Messages.JOB_EVENT, JobEvent.newBuilder().setJobId("j").setType(JobEventType.CONVERGENCE)
        .setPeakResidual(0.1).setTimestampMillis(5).build());
    roundTrip(Messages.DEAD_LETTER, DeadLetter.newBuilder().setTopic("pclean.tasks").setValue(ByteBuffer.wrap(
        new byte[] {9})).setError("bad").setTimestampMillis(1).build());
    assertNull(Messages.JOB_EVENT.deserializer().deserialize("t", null));
    roundTrip(Messages.VISIBILITY_CHUNK, VisibilityChunk.newBuilder().setDataset("d").setSpw(1).setRowStart(-1)
        .setNrow(1).setChanStart(0).setNchan(1).setCorrTypes(List.of(9, 12)).setFreq(List.of(1.4e9))
        .setUvw(ByteBuffer.wrap(new byte[24])).setVis(ByteBuffer.wrap(new byte[16])).setFlags(ByteBuffer.wrap(
        new byte[2])).setWeights(ByteBuffer.wrap(new byte[8])).setSequence(7).setDataDescId(1).setBlockIndex(0)
        .setNumBlocks(1).setLastOfDump(true).setTime(5.0e9).setInterval(10).setAntenna1(ByteBuffer.wrap(new byte[4]))
        .setAntenna2(ByteBuffer.wrap(new byte[4])).setFieldId(ByteBuffer.wrap(new byte[4]))
        .setScan(ByteBuffer.wrap(new byte[4])).setColumn("DATA").setCorrected(ByteBuffer.wrap(new byte[16])).build());
    roundTrip(Messages.DATASET, DatasetDescriptor.newBuilder().setDataset("d").setAntennas(List.of())
        .setFields(List.of()).setSpectralWindows(List.of()).setPolarizations(List.of()).setDataDescriptions(List.of())
        .setColumns(List.of()).setStartTime(0).setEndTime(0).setIntegration(0).build());
    roundTrip(Messages.DATASET, DatasetDescriptor.newBuilder().setDataset("d").setTelescope("VLA")
        .setSourceMs("/x.ms").setAntennas(List.of(new AntennaRecord("ea01", "N01", 1.0, 2.0, 3.0, 25.0)))
        .setFields(List.of()).setSpectralWindows(List.of(new SpectralWindowRecord("s", 1e9, List.of(1e9), List.of(1e6))))
        .setPolarizations(List.of(List.of(9, 12))).setDataDescriptions(List.of(new DataDescriptionRecord(0, 0)))
        .setColumns(List.of("DATA")).setStartTime(1).setEndTime(2).setIntegration(10).setNumDumps(3)
        .setNumRecords(3).setComplete(true).build());
    roundTrip(Messages.SNAPSHOT_READY, SnapshotReady.newBuilder().setDataset("d").setWindowStart(1).setWindowEnd(2)
        .setFirstSequence(0).setLastSequence(0).setDumps(1).setVisibilities(10).setNx(4).setNy(4).setPeak(1)
        .setPeakX(2).setPeakY(2).setRms(0.1).setBeamMajorArcsec(1).setBeamMinorArcsec(1).setBeamPaDeg(0)
        .setClosedAtMillis(1).setReadyAtMillis(2).build());
  }

  /**
   * The dashboard's fields: a JobEvent of the schema before them (v1) reads with null channels and worker; a
   * SnapshotReady before ra/dec/cell reads with nulls; and a reader still on v1 reads today's STARTED event as the
   * enum default PROGRESS, with its other fields intact (old clients keep working beside new workers).
   */
  @Test
  void dashboardFieldsEvolveBothWays() throws Exception {
    Schema v1 = AvroSerde.history("JobEvent").get(1);
    assertNull(v1.getField("worker"));
    GenericRecord old = new GenericData.Record(v1);
    old.put("jobId", "j1");
    old.put("type", new GenericData.EnumSymbol(v1.getField("type").schema(), "PROGRESS"));
    old.put("partitionIndex", 3);
    old.put("timestampMillis", 9L);
    JobEvent e = Messages.JOB_EVENT.fromBytes("pclean.events", encode(v1, old));
    assertEquals(3, e.getPartitionIndex());
    assertNull(e.getChanStart());
    assertNull(e.getWorker());

    JobEvent started = JobEvent.newBuilder().setJobId("j2").setType(JobEventType.STARTED).setPartitionIndex(4)
        .setChanStart(8).setChanEnd(11).setNumPartitions(6).setWorker("w-1").setTimestampMillis(10).build();
    assertEquals(started, roundTrip(Messages.JOB_EVENT, started));
    byte[] raw = Messages.JOB_EVENT.toBytes("pclean.events", started);
    // Single-object encoding: 2 marker bytes and an 8-byte fingerprint, then the binary record.
    org.apache.avro.io.BinaryDecoder in = org.apache.avro.io.DecoderFactory.get().binaryDecoder(raw, 10,
        raw.length - 10, null);
    GenericRecord seenByOld = new org.apache.avro.generic.GenericDatumReader<GenericRecord>(JobEvent.getClassSchema(),
        v1).read(null, in);
    assertEquals("PROGRESS", seenByOld.get("type").toString());
    assertEquals(4, seenByOld.get("partitionIndex"));

    Schema s0 = AvroSerde.history("SnapshotReady").get(0);
    assertNull(s0.getField("ra"));
    GenericRecord snap = new GenericData.Record(s0);
    for (Schema.Field f : s0.getFields()) {
      if (f.hasDefaultValue()) {
        snap.put(f.name(), GenericData.get().getDefaultValue(f));
      }
    }
    for (String f : List.of("windowStart", "windowEnd", "peak", "rms", "beamMajorArcsec", "beamMinorArcsec",
        "beamPaDeg")) {
      snap.put(f, 1.0);
    }
    for (String f : List.of("firstSequence", "lastSequence", "visibilities", "closedAtMillis", "readyAtMillis")) {
      snap.put(f, 1L);
    }
    for (String f : List.of("dumps", "nx", "ny", "peakX", "peakY")) {
      snap.put(f, 4);
    }
    snap.put("dataset", "d");
    SnapshotReady r = Messages.SNAPSHOT_READY.fromBytes("pclean.snapshots", encode(s0, snap));
    assertEquals(4, r.getNx());
    assertNull(r.getRa());
    assertNull(r.getCellX());
  }

  private static byte[] encode(Schema schema, GenericRecord record) throws Exception {
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    return raw;
  }

  /** A visibility chunk of the first schema (no sequence, time or antennas) reads with today's defaults. */
  @Test
  void firstVisibilityChunkSchemaStillReads() throws Exception {
    Schema v0 = AvroSerde.history("VisibilityChunk").get(0);
    GenericRecord old = new GenericData.Record(v0);
    old.put("dataset", "d");
    old.put("spw", 0);
    old.put("rowStart", 12L);
    old.put("nrow", 0);
    old.put("chanStart", 0);
    old.put("nchan", 0);
    old.put("corrTypes", List.of());
    old.put("freq", List.of());
    for (String f : new String[] {"uvw", "vis", "flags", "weights"}) {
      old.put(f, ByteBuffer.allocate(0));
    }
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    VisibilityChunk c = Messages.VISIBILITY_CHUNK.fromBytes("pclean.vis.d", raw);
    assertEquals(12L, c.getRowStart());
    assertEquals(-1L, c.getSequence());
    assertEquals("DATA", c.getColumn());
    assertNull(c.getCorrected());
  }

  /** A record written with an older JobEvent schema (no modelFlux, no seconds) reads into today's class. */
  @Test
  void newerReaderReadsOlderRecords() throws Exception {
    Schema v0 = AvroSerde.history("JobEvent").get(0);
    GenericRecord old = new GenericData.Record(v0);
    old.put("jobId", "j9");
    old.put("type", new GenericData.EnumSymbol(v0.getField("type").schema(), "DONE"));
    old.put("iterations", 42);
    old.put("timestampMillis", 77L);
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    JobEvent e = Messages.JOB_EVENT.fromBytes("pclean.events", raw);
    assertEquals("j9", e.getJobId());
    assertEquals(JobEventType.DONE, e.getType());
    assertEquals(42, e.getIterations());
    assertNull(e.getModelFlux());
    assertNull(e.getSeconds());
  }

  /** A JobSpec of the schema before subcubesOnBus reads as a job with its sub-cubes on a shared filesystem. */
  @Test
  void jobSpecBeforeSubcubesOnBusReadsAsSharedFilesystem() throws Exception {
    Schema v2 = AvroSerde.history("JobSpec").get(2);
    assertNull(v2.getField("subcubesOnBus"));
    GenericRecord old = new GenericData.Record(v2);
    for (Schema.Field f : v2.getFields()) {
      if (f.hasDefaultValue()) {
        old.put(f.name(), GenericData.get().getDefaultValue(f));
      }
    }
    old.put("jobId", "j2");
    old.put("state", new GenericData.EnumSymbol(v2.getField("state").schema(), "RUNNING"));
    old.put("mode", new GenericData.EnumSymbol(v2.getField("mode").schema(), "CUBE"));
    old.put("vis", "/data/x.ms");
    old.put("imagename", "out");
    old.put("params", Map.of());
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old);
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    JobSpec j = Messages.JOB_SPEC.fromBytes("pclean.jobs", raw);
    assertEquals("j2", j.getJobId());
    assertEquals(false, j.getSubcubesOnBus());
    assertEquals(false, SubcubeTiles.onBus(j));
    assertEquals(true, SubcubeTiles.onBus(JobSpec.newBuilder(j).setDataset("obs").build()), "a dataset source");
  }

  /**
   * Every saved version of the messages that embed ImageTile (whose TileKind grew) or JobSpec, and of the
   * coordinator's ContinuumState, parses and resolves to today's class.
   */
  @Test
  void historyOfTileAndJobCarryingMessagesResolves() {
    for (String name : new String[] {"ImageTile", "JobSpec", "TileSum", "ProductRecord", "SnapshotReady",
        "SubcubeRecord", "ContinuumState"}) {
      Schema now = org.apache.avro.specific.SpecificData.get().getSchema(switch (name) {
        case "ImageTile" -> ImageTile.class;
        case "JobSpec" -> JobSpec.class;
        case "TileSum" -> org.pclean.bus.avro.TileSum.class;
        case "SnapshotReady" -> org.pclean.bus.avro.SnapshotReady.class;
        case "SubcubeRecord" -> org.pclean.bus.avro.SubcubeRecord.class;
        case "ContinuumState" -> org.pclean.bus.avro.ContinuumState.class;
        default -> org.pclean.bus.avro.ProductRecord.class;
      });
      List<Schema> history = AvroSerde.history(name);
      assertTrue(!history.isEmpty(), name);
      for (Schema old : history) {
        var c = org.apache.avro.SchemaCompatibility.checkReaderWriterCompatibility(now, old);
        assertEquals(org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, c.getType(),
            name + ": " + c.getDescription());
      }
    }
  }

  @Test
  void subcubeRecordsRoundTrip() {
    var manifest = org.pclean.bus.avro.SubcubeManifest.newBuilder().setNumPartitions(3).setChanStart(2).setChanEnd(3)
        .setNumTiles(2).setProducts(List.of(org.pclean.bus.avro.SubcubeProduct.newBuilder().setKind(TileKind.IMAGE)
            .setUnits("Jy/beam").setNx(8).setNy(8).setStokes("I").setNchan(2).setRa(1).setDec(0.5).setCellX(1e-5)
            .setCellY(1e-5).setFreq0(1.4e9).setDfreq(1e6).setBeams(List.of(new BeamRecord(5.0, 4.0, 30.0),
                new BeamRecord(5.1, 4.0, 30.0))).build())).build();
    roundTrip(Messages.SUBCUBE, org.pclean.bus.avro.SubcubeRecord.newBuilder().setJobId("j").setPartitionIndex(1)
        .setManifest(manifest).setTile(null).build());
    assertEquals(Topics.SUBCUBES, Topics.byName("pclean.subcubes").orElseThrow());
  }

  @Test
  void unknownFingerprintAndForeignBytesAreClearErrors() {
    byte[] spec = Messages.JOB_SPEC.toBytes("pclean.jobs", JobSpec.newBuilder().setJobId("j").setState(JobState.DONE)
        .setMode(JobMode.CUBE).setVis("v")
        .setImagename("i").build());
    var e = assertThrows(BusFormatException.class, () -> Messages.JOB_EVENT.fromBytes("pclean.events", spec));
    assertTrue(e.getMessage().contains("pclean.events") && e.getMessage().contains("unknown JobEvent schema"),
        e.getMessage());
    var e2 = assertThrows(BusFormatException.class,
        () -> Messages.JOB_EVENT.fromBytes("pclean.events", "{\"json\":1}".getBytes()));
    assertTrue(e2.getMessage().contains("not an Avro single-object encoded JobEvent"), e2.getMessage());
  }

  @Test
  void oversizePayloadIsRefusedNamingTopicAndSize() {
    AvroSerde<ImageTile> small = new AvroSerde<>(ImageTile.class, 1000);
    ImageTile big = ImageTile.newBuilder().setJobId("j").setCycle(0).setPartitionIndex(0).setKind(TileKind.RESIDUAL)
        .setTileIndex(0).setX0(0)
        .setY0(0).setWidth(32).setHeight(32).setImageNx(32).setImageNy(32)
        .setPixels(ByteBuffer.wrap(new byte[4096])).build();
    var e = assertThrows(BusFormatException.class, () -> small.toBytes("pclean.partials", big));
    assertTrue(e.getMessage().contains("pclean.partials") && e.getMessage().contains("exceeds the 1000-byte limit"),
        e.getMessage());
    // The production serde (4 MiB limit) takes the same tile.
    assertEquals(4096, Messages.IMAGE_TILE.fromBytes("t", Messages.IMAGE_TILE.toBytes("t", big)).getPixels().remaining());
  }
}

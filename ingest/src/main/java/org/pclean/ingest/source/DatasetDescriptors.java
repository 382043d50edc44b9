package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.List;
import org.pclean.bus.avro.AntennaRecord;
import org.pclean.bus.avro.DataDescriptionRecord;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.FieldRecord;
import org.pclean.bus.avro.SpectralWindowRecord;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsMetadata;

/** Converts between an MS's metadata and the dataset descriptor that travels on pclean.datasets. */
public final class DatasetDescriptors {
  private DatasetDescriptors() {}

  /** The descriptor of an MS streamed as a dataset (not yet complete: numDumps -1). */
  public static DatasetDescriptor of(String dataset, MsMetadata md, List<DataColumn> columns, double startTime,
      double endTime, double integration, String sourceMs) {
    List<AntennaRecord> ants = new ArrayList<>();
    for (MsMetadata.Antenna a : md.antennas()) {
      ants.add(new AntennaRecord(a.name(), a.station(), a.position()[0], a.position()[1], a.position()[2],
          a.dishDiameter()));
    }
    List<FieldRecord> fields = new ArrayList<>();
    for (MsMetadata.Field f : md.fields()) {
      fields.add(new FieldRecord(f.name(), f.ra(), f.dec()));
    }
    List<SpectralWindowRecord> spws = new ArrayList<>();
    for (MsMetadata.SpectralWindow w : md.spectralWindows()) {
      spws.add(new SpectralWindowRecord(w.name(), w.refFrequency(), boxed(w.channelFrequencies()),
          boxed(w.channelWidths())));
    }
    List<List<Integer>> pols = new ArrayList<>();
    for (MsMetadata.Polarization p : md.polarizations()) {
      pols.add(p.correlations().stream().map(CorrelationType::code).toList());
    }
    List<DataDescriptionRecord> dds = new ArrayList<>();
    for (MsMetadata.DataDescription d : md.dataDescriptions()) {
      dds.add(new DataDescriptionRecord(d.spectralWindow(), d.polarization()));
    }
    return DatasetDescriptor.newBuilder().setDataset(dataset).setTelescope(md.telescope()).setSourceMs(sourceMs)
        .setAntennas(ants).setFields(fields).setSpectralWindows(spws).setPolarizations(pols)
        .setDataDescriptions(dds).setColumns(columns.stream().map(DataColumn::columnName).toList())
        .setHasWeightSpectrum(md.hasWeightSpectrum()).setStartTime(startTime).setEndTime(endTime)
        .setIntegration(integration).build();
  }

  /** The metadata imaging needs, as an MS would report it, for a dataset of {@code rows} rows. */
  public static MsMetadata metadata(DatasetDescriptor d, long rows) {
    List<MsMetadata.Antenna> ants = new ArrayList<>();
    for (AntennaRecord a : d.getAntennas()) {
      ants.add(new MsMetadata.Antenna(ants.size(), a.getName(), a.getStation(),
          new double[] {a.getX(), a.getY(), a.getZ()}, a.getDishDiameter()));
    }
    List<MsMetadata.Field> fields = new ArrayList<>();
    for (FieldRecord f : d.getFields()) {
      fields.add(new MsMetadata.Field(fields.size(), f.getName(), f.getRa(), f.getDec()));
    }
    List<MsMetadata.SpectralWindow> spws = new ArrayList<>();
    for (SpectralWindowRecord w : d.getSpectralWindows()) {
      spws.add(new MsMetadata.SpectralWindow(spws.size(), w.getName(), unboxed(w.getChannelFrequencies()),
          unboxed(w.getChannelWidths()), w.getRefFrequency()));
    }
    List<MsMetadata.Polarization> pols = new ArrayList<>();
    for (List<Integer> p : d.getPolarizations()) {
      pols.add(new MsMetadata.Polarization(pols.size(), p.stream().map(CorrelationType::fromCode).toList()));
    }
    List<MsMetadata.DataDescription> dds = new ArrayList<>();
    for (DataDescriptionRecord r : d.getDataDescriptions()) {
      dds.add(new MsMetadata.DataDescription(dds.size(), r.getSpw(), r.getPolarization()));
    }
    List<DataColumn> columns = new ArrayList<>();
    for (String c : d.getColumns()) {
      for (DataColumn k : DataColumn.values()) {
        if (k.columnName().equals(c)) {
          columns.add(k);
        }
      }
    }
    return new MsMetadata(d.getTelescope(), rows, new double[] {d.getStartTime(), d.getEndTime()}, List.copyOf(ants),
        List.copyOf(fields), List.copyOf(spws), List.copyOf(pols), List.copyOf(dds), List.copyOf(columns),
        d.getHasWeightSpectrum());
  }

  private static List<Double> boxed(double[] a) {
    List<Double> out = new ArrayList<>(a.length);
    for (double x : a) {
      out.add(x);
    }
    return out;
  }

  private static double[] unboxed(List<Double> a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i);
    }
    return out;
  }
}

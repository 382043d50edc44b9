package org.pclean.casacore;

import java.util.List;

/**
 * What an MS holds, read once at open: the subtables imaging needs, and the main table's extent.
 *
 * @param telescope OBSERVATION::TELESCOPE_NAME of the first observation
 * @param rows rows in the main table (all, not only the selection)
 * @param timeRange first and last TIME (MJD seconds, UTC) over the main table
 * @param dataColumns visibility columns present and filled (DATA, CORRECTED_DATA, MODEL_DATA)
 * @param hasWeightSpectrum whether WEIGHT_SPECTRUM holds data
 */
public record MsMetadata(
    String telescope,
    long rows,
    double[] timeRange,
    List<Antenna> antennas,
    List<Field> fields,
    List<SpectralWindow> spectralWindows,
    List<Polarization> polarizations,
    List<DataDescription> dataDescriptions,
    List<DataColumn> dataColumns,
    boolean hasWeightSpectrum) {

  /** @param position ITRF metres (x, y, z) */
  public record Antenna(int id, String name, String station, double[] position, double dishDiameter) {}

  /** @param ra phase centre right ascension, J2000 radians; @param dec declination, radians */
  public record Field(int id, String name, double ra, double dec) {}

  /** @param channelFrequencies Hz; @param channelWidths Hz; @param refFrequency Hz */
  public record SpectralWindow(
      int id, String name, double[] channelFrequencies, double[] channelWidths, double refFrequency) {
    public int numChannels() {
      return channelFrequencies.length;
    }
  }

  public record Polarization(int id, List<CorrelationType> correlations) {}

  public record DataDescription(int id, int spectralWindow, int polarization) {}

  public DataDescription dataDescription(int id) {
    return dataDescriptions.get(id);
  }
}

package org.pclean.casacore;

/**
 * What tclean writes into a product's header about the observation: casacore's ObsInfo (telescope, observer,
 * observation date) and the spectral axis' frame and rest frequency. FITS exports carry them as TELESCOP,
 * OBSERVER, DATE-OBS, SPECSYS and RESTFRQ.
 *
 * @param telescope OBSERVATION::TELESCOPE_NAME of the first observation
 * @param observer OBSERVATION::OBSERVER of the first observation ("" when unknown)
 * @param obsDateMjdSec the observation date, MJD seconds (UTC): the first TIME of the MS (0: unknown)
 * @param frame the frame the image frequencies are in, an MFrequency name ("TOPO": the MS's channels as stored)
 * @param restFreq rest frequency, Hz (0: none)
 */
public record ObservationInfo(String telescope, String observer, double obsDateMjdSec, String frame,
    double restFreq) {
  public ObservationInfo withRestFreq(double hz) {
    return new ObservationInfo(telescope, observer, obsDateMjdSec, frame, hz);
  }
}

package org.pclean.ingest.source;

import org.pclean.casacore.DataColumn;

/**
 * tclean's data selection of a run, as a source applies it.
 *
 * @param field field ids (empty: all)
 * @param spw spectral window ids (empty: all; several are refused for now)
 * @param chanRange first and last channel of the spw (inclusive), or null for all
 * @param datacolumn the column to image (CORRECTED falls back to DATA with a warning, as in tclean)
 * @param phasecenter [ra, dec] J2000 radians, or null for the first selected field's
 * @param timerange [from, to) MJD seconds (UTC), or null for all times
 */
public record DataSelection(int[] field, int[] spw, int[] chanRange, DataColumn datacolumn, double[] phasecenter,
    double[] timerange) {}

/**
 * CLEAN masks, tclean's usemask: user regions and mask images ({@link org.pclean.imaging.mask.UserMask}, CRTF text
 * read by {@link org.pclean.imaging.mask.RegionParser} onto a {@link org.pclean.imaging.mask.PixelFrame}), the
 * primary-beam mask, and auto-multithresh ({@link org.pclean.imaging.mask.AutoMultiThresh}). Each plane gets its own
 * {@link org.pclean.imaging.mask.CleanMask} from {@link org.pclean.imaging.mask.PlaneMasks}; the minor cycle asks it
 * before every cycle. Decisions where CASA is not followed exactly are listed in the README's Masks section.
 */
package org.pclean.imaging.mask;

"""Validation against real conflicts (DESIGN.md section 8).

``flee_io`` reads a conflict directory in the Flee simulator's format (graph, closures,
conflict intensities and UNHCR daily camp counts; the cells of its files are read by
``flee_cells``, the daily counts by ``flee_sources``); ``ard`` computes Flee's averaged relative
difference between simulated and observed camp populations. Import the submodules directly;
nothing is imported here so that importing the package stays cheap.
"""

-- What the daily adaptation fit needs to know to do nothing, and what the
-- settings page shows about a fit that is not applied.
--
-- data is a fingerprint of the labelled texts a language's fit learnt from
-- (their ids, weak labels and texts). The daily fit refits a language only
-- when that fingerprint or the base model changed; otherwise the row, and so
-- fitted_at (part of a `vox reanalyze` run's identity), stays as it is.
--
-- refused says why the row is not applied: '' when active, 'too_few' (fewer
-- labelled texts, or of one class, than a fit needs), 'thin_split' (the
-- held-out split left one class too thin to train on), 'worse' (the
-- adjustment scored below the base model on the newest held-out texts).
ALTER TABLE adaptations ADD COLUMN data TEXT NOT NULL DEFAULT '';
ALTER TABLE adaptations ADD COLUMN refused TEXT NOT NULL DEFAULT '';

-- Segment sends walk a segment's customers in id order, and the survey page
-- lists the workspace's segments and regions with their sizes: both read
-- this index instead of every customer of the workspace.
CREATE INDEX customers_segment ON customers (workspace_id, segment, region, id);

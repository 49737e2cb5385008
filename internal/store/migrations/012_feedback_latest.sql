-- "What is the newest item of this workspace?" is asked on every overview
-- (whether cached pain points are still fresh) and by every live stream's
-- poll. Without this index SQLite walked all of the workspace's items in
-- another index to find the largest id (~200 ms at 1M items); with it, one seek.
CREATE INDEX feedback_items_workspace_id ON feedback_items (workspace_id, id);

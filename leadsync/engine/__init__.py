"""The sync engine: one cycle over every configured CRM, and what can be asked of a pipeline.

`SyncEngine.sync` runs a cycle (read, link, evaluate, plan, write, audit, commit);
`plan` shows what one would write; the figures come back as a `CycleReport`.
"""

from leadsync.engine.cycle import SyncEngine
from leadsync.engine.evaluating import Impact
from leadsync.engine.figures import CrmFigures, CycleReport
from leadsync.engine.reading import Progress
from leadsync.engine.rollback import RollbackReport

__all__ = ["CrmFigures", "CycleReport", "Impact", "Progress", "RollbackReport", "SyncEngine"]

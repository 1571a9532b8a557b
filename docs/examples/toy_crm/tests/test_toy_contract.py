"""The shipped contract suite on the toy adapter and its sandbox."""

from collections.abc import Mapping
from typing import Any, ClassVar

from toy_crm import plugin
from toy_crm.sandbox import ToySandbox

from leadsync.testing import AdapterContractSuite


class TestToyContract(AdapterContractSuite):
    plugin = plugin
    sandbox_factory = ToySandbox
    crm_name = "toy"
    # Pages of 200: thousands of people saved at one stamp span several pages.
    adapter_options: ClassVar[Mapping[str, Any]] = {"page_size": 200}

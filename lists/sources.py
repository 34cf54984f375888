"""The registry of official list sources: where each list is published and where a local copy is.

URLs are the publishers' official download addresses; each can be overridden with the
environment variable SCREENING_SOURCE_<LIST_ID>_URL. ``local`` names the files of the list in
the configured local folder (SCREENING_SHARED_DATA), used when downloads are not possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from screening import settings


@dataclass(frozen=True, slots=True)
class Source:
    list_id: str
    title: str
    url: str
    format: str  # format of the file at ``url``
    local: tuple[str, ...] = ()  # paths relative to the local folder (files or folders)

    @property
    def effective_url(self) -> str:
        return settings.source_url_override(self.list_id) or self.url

    def local_paths(self, folder: Path) -> list[Path]:
        return [folder / rel for rel in self.local]


SOURCES: tuple[Source, ...] = (
    Source(
        "un_sc",
        "UN Security Council Consolidated List",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "un_xml",
        ("un/consolidated_2026-02-27.xml",),
    ),
    Source(
        "us_ofac_sdn",
        "US OFAC Specially Designated Nationals (SDN) List",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
        "ofac_xml",
        ("ofac/sdn_2024-05-03/sdn.csv",),
    ),
    Source(
        "us_ofac_cons",
        "US OFAC Consolidated (non-SDN) List",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",
        "ofac_xml",
        ("ofac/consolidated_xml_2024-05-06/consolidated.xml",),
    ),
    Source(
        "eu_fsf",
        "EU Consolidated Financial Sanctions List",
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        "eu_fsf",
        ("eu/fixtures_2016_v1_0/eu_global_2016-02-11_truncated.xml",),
    ),
    Source(
        "eu_terr_2580",
        "EU terrorist list (Council Regulation 2580/2001)",
        "",
        "eu_journal_csv",
        ("eu/opensanctions_journal_extracts/32001R2580.csv",),
    ),
    Source(
        "eu_taqa_881",
        "EU ISIL/Al-Qaida list (Council Regulation 881/2002)",
        "",
        "eu_journal_csv",
        ("eu/opensanctions_journal_extracts/32002R0881.csv",),
    ),
    Source(
        "gb_hmt",
        "UK HM Treasury / OFSI Consolidated List",
        "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
        "uk_conlist",
        ("uk/sanctionsconlist_2018-04-13.csv",),
    ),
    Source(
        "ca_sema",
        "Canada Consolidated Autonomous Sanctions List (SEMA)",
        "https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-relations_internationales/sanctions/sema-lmes.xml",
        "canada_sema",
        ("canada/sema-lmes_2020-04.xml",),
    ),
)


def get_source(list_id: str) -> Source:
    for source in SOURCES:
        if source.list_id == list_id:
            return source
    known = ", ".join(s.list_id for s in SOURCES)
    raise KeyError(f"unknown list {list_id!r}; configured sources: {known}")

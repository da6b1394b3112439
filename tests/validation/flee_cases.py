"""Hand-made conflicts in Flee's format, written to a temporary folder for tests."""

from pathlib import Path

#: a small conflict: Alpha is at war from day 0; Camp Near (abroad) is 50 km away over a
#: border closed on days 0-29; Camp Far (at home) is 200 km away through Beta Town.
BORDER = {
    "input_csv/sim_period.csv": "StartDate,2020-01-01\nLength,60\n",
    "input_csv/locations.csv": (
        "#name,region,country,latitude,longitude,location_type,conflict_date,population\n"
        "Alpha,R1,Homeland,1.0,2.0,conflict_zone,0,1000\n"
        "Beta Town,R1,Homeland,1.5,2.5,town,,500\n"
        "Camp Far,R1,Homeland,2.0,3.0,camp,,5000\n"
        "Camp Near,R2,Abroad,0.5,1.5,camp,,5000\n"
    ),
    "input_csv/routes.csv": (
        "#name1,name2,distance,forced_redirection\n"
        "Alpha,Beta Town,100,\n"
        "Beta Town,Camp Far,100,\n"
        "Alpha,Camp Near,50,\n"
    ),
    "input_csv/closures.csv": (
        "#closure_type,name1,name2,closure_start,closure_end\n"
        "country,Homeland,Abroad,0,30\n"
    ),
    "input_csv/conflicts.csv": "#Day,Alpha\n" + "".join(f"{d},1\n" for d in range(60)),
    "input_csv/registration_corrections.csv": "",
    "source_data/data_layout.csv": (
        "total,refugees.csv\nCamp Far,camp-far.csv\nCamp Near,camp-near.csv\n"),
    "source_data/refugees.csv": "2020-01-01,0\n2020-03-01,3000\n",
    "source_data/camp-far.csv": "2020-01-01,0\n2020-03-01,1500\n",
    "source_data/camp-near.csv": "2020-01-01,0\n2020-01-31,0\n2020-03-01,1500\n",
}


def write_conflict(root: Path, files: dict[str, str | None] | None = None,
                   base: dict[str, str] | None = None) -> Path:
    """Write a conflict folder: ``base`` (default BORDER) with ``files`` replaced or removed."""
    content = {**(base or BORDER), **(files or {})}
    for relative, text in content.items():
        if text is not None:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
    return root

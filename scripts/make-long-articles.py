"""Writes the two long sample articles (samples/articles/*-long*.txt) from a fixed seed.

They exist to exercise whole-document summarization: structured reports with headings,
paragraphs and sentences whose facts differ from section to section, so a summary of the first
page alone visibly misses most of the document. Run again to reproduce them byte for byte:

    python3 scripts/make-long-articles.py
"""

import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "samples" / "articles"

REGIONS = ["the Nordic grid", "the Iberian peninsula", "the Great Lakes region", "southern India", "the Pampas",
           "the Rhine valley", "coastal Queensland", "the Anatolian plateau", "the Kenyan highlands", "northern Chile",
           "the Mekong delta", "the Baltic states", "Patagonia", "the Po valley", "the Ontario corridor", "Hokkaido"]
ACTORS = ["grid operators", "municipal utilities", "cooperative owners", "regional regulators", "industrial buyers",
          "transmission planners", "hospital networks", "port authorities", "farm cooperatives", "water boards"]
THEMES_ENERGY = ["battery storage", "offshore wind", "rooftop solar", "heat pumps", "green hydrogen", "demand response",
                 "transmission upgrades", "geothermal heat", "small hydro", "electric freight", "grid-scale pumped storage"]
THEMES_COAST = ["sea walls", "managed retreat", "mangrove restoration", "storm-water tunnels", "elevated housing",
                "flood insurance pools", "early-warning systems", "salt-marsh buffers", "dune nourishment",
                "tidal barriers", "groundwater recharge", "heat-resilient transit"]
EFFECTS = ["cut peak demand", "lowered average bills", "reduced outage minutes", "shortened permitting",
           "raised local employment", "lowered insurance claims", "reduced flood days", "improved air quality"]
CAVEATS = ["the sample of projects remains small", "several figures rely on self-reported data",
           "costs were measured before the latest rise in interest rates", "weather in the review year was unusually mild",
           "two large projects were still commissioning", "comparable data from neighbouring regions is patchy"]
QUOTES = ["We built for the storm we remembered, not the one that came.",
          "Every hour of warning is worth a week of repairs.",
          "Cheap power is only cheap if it arrives when people need it.",
          "The hardest part was never the engineering; it was agreeing who pays.",
          "Our maintenance crews learned more in one winter than in five years of planning.",
          "Nobody wanted the substation next door until the lights went out."]
NAMES = ["Amara Okafor", "Lukas Brandt", "Sofía Herrera", "Kenji Watanabe", "Priya Raman", "Mateus Costa",
         "Ingrid Solberg", "Yusuf Demir", "Chloé Martin", "Daniel Mwangi", "Hana Kobayashi", "Tomás Reyes"]


def sentence(rng, theme, region):
    n = rng.randint(3, 61)
    choice = rng.randrange(7)
    actor = rng.choice(ACTORS)
    if choice == 0:
        return f"In {region}, {actor} reported that {theme} {rng.choice(EFFECTS)} by about {n} percent over the review period."
    if choice == 1:
        return f"Spending on {theme} reached {rng.randint(2, 900)} million over {rng.randint(2, 9)} years, of which {n} percent came from public budgets."
    if choice == 2:
        return f"{rng.choice(NAMES)}, who advises {actor} in {region}, put it plainly: \"{rng.choice(QUOTES)}\""
    if choice == 3:
        return f"The evidence comes with a caveat: {rng.choice(CAVEATS)}."
    if choice == 4:
        return f"Projects that involved {actor} from the start finished {rng.randint(2, 14)} months sooner than those that did not."
    if choice == 5:
        return f"By contrast, {rng.choice(REGIONS)} saw little change, and {actor} there note that {rng.choice(CAVEATS[:3])}."
    return f"Survey respondents ranked {theme} {rng.choice(['first', 'second', 'third', 'fifth'])} among {rng.randint(6, 15)} priorities, up from {rng.choice(['seventh', 'ninth', 'tenth'])} two years earlier."


def article(title, intro, themes, target_words, seed):
    rng = random.Random(seed)
    parts = [title, "", intro, ""]
    words = sum(len(p.split()) for p in parts)
    section = 0
    while words < target_words:
        section += 1
        theme, region = rng.choice(themes), rng.choice(REGIONS)
        heading = f"Section {section}: {theme.capitalize()} in {region}"
        parts += [heading, ""]
        for _ in range(rng.randint(3, 6)):
            paragraph = " ".join(sentence(rng, theme, region) for _ in range(rng.randint(4, 8)))
            parts += [paragraph, ""]
            words += len(paragraph.split())
        words += len(heading.split())
    parts += ["Conclusion", "", f"Across {section} sections the review finds that no single measure carried a region on its own; "
              "the places that combined several, and involved the people affected early, did best. The gaps in the data are "
              "as instructive as the figures, and the next review should start by closing them.", ""]
    return "\n".join(parts)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    energy = article("Regional Energy Transition Review", "This review follows how regions paid for, built and lived with new energy "
                     "infrastructure over the last three years, and what the figures say about what worked.", THEMES_ENERGY, 8_200, 8)
    coast = article("Coastal Cities Adaptation Report", "This report compares how coastal regions prepared for flooding, storms and heat, "
                    "region by region and measure by measure, from sea walls to insurance pools.", THEMES_COAST, 30_500, 30)
    (OUT / "energy-transition-long-8k.txt").write_text(energy, encoding="utf-8")
    (OUT / "coastal-adaptation-long-30k.txt").write_text(coast, encoding="utf-8")
    for name, text in (("energy-transition-long-8k.txt", energy), ("coastal-adaptation-long-30k.txt", coast)):
        print(f"{name}: {len(text.split())} words")


if __name__ == "__main__":
    main()

#include "court_data.hpp"

#include <algorithm>
#include <cstdio>

namespace bug_court {

std::string DemoCase::docket() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "BCC-%04d-%03d", year, number);
  return buf;
}

std::string DemoCase::detail_path() const {
  return "/cases/" + std::to_string(year) + "/" + std::to_string(number);
}

namespace {

constexpr const char* kChief = "Hon. Vespa Stingwell";
constexpr const char* kLacewing = "Hon. Lacewing Pemberton";
constexpr const char* kScarab = "Hon. Scarab Goldhorn";
constexpr const char* kWeta = "Hon. Weta Thornbury";
constexpr const char* kSkimmer = "Hon. Skimmer Reedsworth";
constexpr const char* kFirefly = "Hon. Lumen Firefly";
constexpr const char* kStick = "Hon. Phasmid Longbough";

std::vector<Justice> make_justices() {
  return {
      {kChief, "vespa-stingwell", "Paper Wasp (Polistes dominula)", "Chief Justice", "2017-04-03",
       "Builder of the court's paper-thin but surprisingly durable precedents. "
       "Chief Justice Stingwell runs a disciplined nest and tolerates no buzzing "
       "from the gallery.",
       "Nest v. Nest (2019)"},
      {kLacewing, "lacewing-pemberton", "Green Lacewing (Chrysoperla carnea)", "Associate Justice",
       "2018-08-20",
       "A delicate writer with a ferocious appetite for bad arguments, much as "
       "her larvae have for aphids. Authority on the law of garden easements.",
       "Rose Bed Easements (2021)"},
      {kScarab, "scarab-goldhorn", "Sacred Scarab (Scarabaeus sacer)", "Associate Justice",
       "2019-02-11",
       "Rolls every case forward patiently, one ball of evidence at a time. "
       "Known for opinions that begin at sunrise and end, invariably, downhill.",
       "Ball Rolling Rights (2020)"},
      {kWeta, "weta-thornbury", "Giant Weta (Deinacrida heteracantha)", "Associate Justice",
       "2020-06-30",
       "The heaviest member of the bench and its most immovable dissenter. "
       "Justice Thornbury insists that size is never evidence of guilt.",
       "Heavyweight Standing doctrine (2022)"},
      {kSkimmer, "skimmer-reedsworth", "Twelve-spotted Skimmer (Libellula pulchella)",
       "Associate Justice", "2021-05-17",
       "Patrols the pond circuit and hears water-rights disputes on the wing. "
       "Famous for rulings delivered before counsel has finished landing.",
       "Pond Surface Tension Act review (2023)"},
      {kFirefly, "lumen-firefly", "Common Eastern Firefly (Photinus pyralis)", "Associate Justice",
       "2022-07-09",
       "Presides over the night session. Her opinions are brief, bright and "
       "blink-and-you-miss-it, yet rarely reversed.",
       "Right to Glow (2024)"},
      {kStick, "phasmid-longbough", "Giant Stick Insect (Phobaeticus chani)", "Associate Justice",
       "2024-01-22",
       "So still on the bench that counsel have argued entire cases before "
       "noticing him. Specialist in camouflage, disguise and mistaken identity.",
       "Twig or Not Twig (2025)"},
  };
}

DemoCase c(int year, int number, const char* name, const char* plaintiff, const char* defendant,
           const char* filed, const char* type, const char* status, const char* judge,
           const char* summary, bool opinion, bool oral) {
  return DemoCase{year, number, name,  plaintiff, defendant, filed,
                  type, status, judge, summary,   opinion,   oral};
}

std::vector<DemoCase> make_cases() {
  return {
      // 2024
      c(2024, 1, "Woodlouse v. Centipede", "Wendell Woodlouse", "Cecil Centipede", "2024-01-08",
        "Property Dispute", "Closed", kChief,
        "Plaintiff claims the damp underside of the garden brick was his by adverse "
        "possession long before defendant moved in with all of his legs.",
        true, true),
      c(2024, 2, "Honeybee Cooperative v. Bumblebee", "Honeybee Cooperative No. 9",
        "Bertha Bumblebee", "2024-01-22", "Breach of Contract", "Closed", kLacewing,
        "A pollination-sharing agreement for the lavender border allegedly broken "
        "when defendant arrived early and left with the best pollen.",
        true, false),
      c(2024, 3, "Earwig v. Apple Orchard Board", "Edna Earwig", "Apple Orchard Board",
        "2024-02-05", "Defamation", "Pending", kScarab,
        "Plaintiff objects to the Board's leaflet asserting that earwigs crawl "
        "into ears, calling it \"a slur older than the orchard\".",
        false, true),
      c(2024, 4, "Silverfish v. Library Trust", "Sid Silverfish", "Library Trust", "2024-02-19",
        "Eviction", "Closed", kWeta,
        "Tenant of the reference section for 400 generations contests an eviction "
        "notice served after a book was found lightly nibbled.",
        false, false),
      c(2024, 5, "Aphid Union v. Ladybird", "Aphid Union Local 12", "Lottie Ladybird", "2024-03-11",
        "Personal Injury", "Pending", kLacewing,
        "The union alleges a pattern of unprovoked consumption of its members on "
        "the rose bushes; defendant pleads natural appetite.",
        true, true),
      c(2024, 6, "Cockchafer v. Lawn & Turf Ltd.", "Colin Cockchafer", "Lawn & Turf Ltd.",
        "2024-04-02", "Nuisance", "Dismissed", kSkimmer,
        "Grubs residing under the lawn challenge the nightly watering schedule as "
        "an unreasonable flooding of their ancestral home.",
        false, false),
      c(2024, 7, "Glow-worm v. Street Lamp Authority", "Gwen Glow-worm", "Street Lamp Authority",
        "2024-05-14", "Unfair Competition", "Closed", kFirefly,
        "Plaintiff argues that the new sodium lamps drown out her signal and ruin "
        "her prospects at the summer solstice dance.",
        true, true),
      c(2024, 8, "Dung Beetle Haulage v. Sheep", "Dung Beetle Haulage Co.", "Shaun Sheep",
        "2024-06-03", "Breach of Contract", "Pending", kScarab,
        "Supply dispute: plaintiff's haulage business depends on defendant's "
        "regular deliveries, which ceased when the flock moved field.",
        false, true),
      c(2024, 9, "Pond Skater v. Water Boatman", "Pippa Pond Skater", "Wally Water Boatman",
        "2024-07-29", "Trespass", "Closed", kSkimmer,
        "Who owns the surface of the pond? Plaintiff skates on it; defendant rows "
        "beneath it and claims the surface film as his ceiling.",
        true, false),
      c(2024, 10, "Mayfly v. Calendar Office", "Maisie Mayfly", "Calendar Office", "2024-09-16",
        "Administrative Appeal", "Closed", kChief,
        "Plaintiff seeks an expedited hearing date on the grounds that she has "
        "only one day to live. Granted, with minutes to spare.",
        true, true),
      // 2025
      c(2025, 1, "Cicada Chorus v. Residents' Association", "Cicada Chorus of Brood XIV",
        "Hedgerow Residents' Association", "2025-01-13", "Noise Complaint", "Pending", kWeta,
        "After seventeen years underground the chorus finds that a noise bylaw was "
        "passed in its absence, without notice or consultation.",
        true, true),
      c(2025, 2, "Leafcutter Ants v. Rose Fancier", "Leafcutter Ants Collective",
        "Rosalind Fancier", "2025-01-27", "Property Dispute", "Closed", kLacewing,
        "Defendant claims the prize roses; plaintiffs claim the leaves were "
        "harvested under a long-standing agricultural exemption.",
        false, false),
      c(2025, 3, "Stick Insect v. Twig", "Stanley Stick Insect", "A Twig", "2025-02-10",
        "Identity Theft", "Closed", kStick,
        "Plaintiff alleges defendant has impersonated him for an entire season. "
        "Defendant, a twig, did not appear; or possibly did.",
        true, true),
      c(2025, 4, "Mosquito v. Bat", "Midge Mosquito", "Barnaby Bat", "2025-03-03", "Assault",
        "Pending", kSkimmer,
        "Plaintiff seeks damages for the loss of forty-one cousins during a single "
        "evening flyover of the duck pond.",
        false, true),
      c(2025, 5, "Carpenter Bee v. Shed Owners", "Carla Carpenter Bee", "Shed Owners' Guild",
        "2025-04-07", "Building Permit", "Dismissed", kScarab,
        "Plaintiff asks for retrospective planning consent for six perfectly round "
        "tunnels in the shed's south-facing beam.",
        false, false),
      c(2025, 6, "Weevil & Sons v. Granary Board", "Weevil & Sons", "Granary Board", "2025-05-19",
        "Unfair Competition", "Closed", kChief,
        "Family grain business challenges the Board's new sealed silos as an "
        "unlawful barrier to entry, in every sense.",
        true, false),
      c(2025, 7, "Firefly v. Firefly", "Flash Firefly", "Flicker Firefly", "2025-06-23",
        "Intellectual Property", "Pending", kFirefly,
        "Two fireflies dispute ownership of the three-long-one-short blink pattern; "
        "an expert in Morse code has been called.",
        true, true),
      c(2025, 8, "Moth v. Porch Light", "Margaret Moth", "Porch Light at No. 11", "2025-08-04",
        "Nuisance", "Closed", kFirefly,
        "Plaintiff describes an irresistible attraction causing distress, loss of "
        "sleep and two singed wings.",
        false, false),
      c(2025, 9, "Termite Mound v. Aardvark", "Termite Mound 77", "Arthur Aardvark", "2025-09-15",
        "Trespass", "Pending", kWeta,
        "The mound seeks an injunction against defendant's long sticky tongue, "
        "which it describes as \"a standing threat\".",
        false, true),
      c(2025, 10, "Caterpillar v. Chrysalis Holdings", "Clara Caterpillar", "Chrysalis Holdings",
        "2025-11-03", "Breach of Contract", "Closed", kStick,
        "Dispute over a two-week lease of a silk enclosure and who, exactly, is "
        "entitled to move out at the end of it.",
        true, true),
      // 2026
      c(2026, 1, "Hornet v. Honeybee Hive", "Harriet Hornet", "Honeybee Hive 3", "2026-01-12",
        "Assault", "Pending", kChief,
        "Plaintiff alleges she was mobbed and overheated by a ball of defenders "
        "while making an entirely social visit.",
        false, true),
      c(2026, 2, "Springtail v. Compost Heap Committee", "Sprocket Springtail",
        "Compost Heap Committee", "2026-01-26", "Administrative Appeal", "Pending", kLacewing,
        "Appeal against the committee's decision to turn the heap, which plaintiff "
        "describes as \"an earthquake by committee\".",
        false, false),
      c(2026, 3, "Lacewing v. Spider", "Lacey Lacewing", "Sylvester Spider", "2026-02-09",
        "Personal Injury", "Closed", kScarab,
        "Plaintiff became entangled in defendant's web, which she contends was "
        "strung across a public right of way without signage.",
        true, false),
      c(2026, 4, "Snail v. Beetle (a Gastropod Intervenes)", "Sheldon Snail", "Betty Beetle",
        "2026-03-02", "Defamation", "Pending", kWeta,
        "Although not an insect, plaintiff was granted standing to complain about "
        "defendant calling him \"slow\" in a widely read leaf.",
        false, true),
      c(2026, 5, "Damselfly v. Dragonfly", "Delia Damselfly", "Drake Dragonfly", "2026-04-13",
        "Trade Dress Infringement", "Closed", kSkimmer,
        "Plaintiff says defendant's iridescent blue is confusingly similar to hers; "
        "defendant replies that he folds his wings differently.",
        true, true),
      c(2026, 6, "Grasshopper v. Ant Colony 12", "Gus Grasshopper", "Ant Colony 12", "2026-05-04",
        "Unjust Enrichment", "Pending", kChief,
        "Plaintiff played the music all summer and now seeks a share of the winter "
        "stores as reasonable royalties.",
        false, false),
      c(2026, 7, "Water Strider v. Rain Cloud", "Wendy Water Strider", "Cumulus No. 4",
        "2026-05-25", "Nuisance", "Dismissed", kSkimmer,
        "Raindrops allegedly breached the surface tension plaintiff relies on for "
        "her commute. Dismissed for want of personal jurisdiction over the sky.",
        false, false),
      c(2026, 8, "Bark Beetle v. Woodpecker", "Boris Bark Beetle", "Winifred Woodpecker",
        "2026-06-15", "Trespass", "Pending", kStick,
        "Plaintiff's galleries under the bark were entered without warning by a "
        "loud and persistent defendant.",
        true, true),
      c(2026, 9, "Ant Colony 47 v. Anteater", "Ant Colony 47", "Anselm Anteater", "2026-07-06",
        "Class Action", "Pending", kWeta,
        "Forty thousand plaintiffs, one defendant and a tongue. Certification of "
        "the class is expected to take some time to count.",
        false, true),
      c(2026, 10, "Cricket v. Grandfather Clock", "Crispin Cricket", "Grandfather Clock",
        "2026-08-17", "Noise Complaint", "Pending", kFirefly,
        "Plaintiff claims defendant's ticking interferes with his chirping, which "
        "is, he notes, the more accurate thermometer.",
        true, false),
  };
}

}  // namespace

const std::vector<DemoCase>& cases() {
  static const std::vector<DemoCase> all = make_cases();
  return all;
}

const std::vector<Justice>& justices() {
  static const std::vector<Justice> all = make_justices();
  return all;
}

const DemoCase* find_case(int year, int number) {
  for (const auto& item : cases())
    if (item.year == year && item.number == number) return &item;
  return nullptr;
}

const DemoCase* find_case_by_docket(const std::string& docket) {
  for (const auto& item : cases())
    if (item.docket() == docket) return &item;
  return nullptr;
}

const Justice* find_justice(const std::string& slug) {
  for (const auto& j : justices())
    if (j.slug == slug) return &j;
  return nullptr;
}

std::vector<int> case_years() {
  std::vector<int> years;
  for (const auto& item : cases())
    if (std::find(years.begin(), years.end(), item.year) == years.end()) years.push_back(item.year);
  std::sort(years.begin(), years.end());
  return years;
}

}  // namespace bug_court

"""The glossary page: terms of the reports explained in plain German (``reports/glossar.html``).

Each entry is (term, anchor id, explanation). Anchors are ASCII, so links work everywhere.
"""

from __future__ import annotations

GLOSSARY: list[tuple[str, str, str]] = [
    (
        "( ) – Wert in Klammern",
        "Klammern",
        "Der Wert beruht auf einer kleinen Bezugsgruppe (zum Beispiel wenigen Kindern eines Jahrgangs). Er kann "
        "schon durch wenige Fälle stark schwanken; sein Aussagewert ist eingeschränkt. Klammern haben in den "
        "Berichten nur diese Bedeutung.",
    ),
    (
        "▲ ▼ – Pfeile beim Trend",
        "Pfeile",
        "▲ heißt: der Wert ist über die Jahre gestiegen, ▼: er ist gesunken (Trend über alle verfügbaren Jahre, "
        "der Zeitraum steht dabei). Ob das gut oder schlecht ist, steht daneben in Worten („günstiger“ oder "
        "„ungünstiger“), denn bei manchen Kennzahlen ist ein höherer Wert gut (etwa Betreuungsquoten), bei anderen "
        "schlecht (etwa Kinderarmut). Pfeil und Wort stehen nur, wenn die Veränderung mehr ist, als der Zufall "
        "erklärt.",
    ),
    (
        ". – Punkt statt Zahl",
        "Punkt",
        "Der Wert ist unbekannt oder wird geheim gehalten, weil sonst Rückschlüsse auf einzelne Personen oder "
        "Familien möglich wären (statistische Geheimhaltung).",
    ),
    ("– – Strich", "Strich", "Es gibt keinen Fall: Der Wert ist genau null."),
    (
        "Bedarfsgemeinschaft",
        "Bedarfsgemeinschaft",
        "Personen in einem Haushalt, die gemeinsam Bürgergeld (früher Arbeitslosengeld II) nach dem SGB II "
        "erhalten, zum Beispiel Eltern mit ihren Kindern.",
    ),
    (
        "Benjamini-Hochberg-Verfahren",
        "Benjamini-Hochberg",
        "Ein Verfahren, das die Falscherkennungsrate begrenzt, wenn viele Werte auf einmal geprüft werden (siehe "
        "Falscherkennungsrate).",
    ),
    (
        "Differenz-von-Differenzen",
        "Differenz-von-Differenzen",
        "Ein Vergleich der Entwicklung: Wie hat sich ein Wert in Stadtteilen mit einem neuen Angebot verändert, "
        "und wie im gleichen Zeitraum in Stadtteilen ohne dieses Angebot? Der Unterschied der beiden "
        "Veränderungen ist ein Hinweis auf die Wirkung des Angebots.",
    ),
    (
        "Empirischer Bayes",
        "Empirischer-Bayes",
        "Ein Verfahren, das Werte kleiner Stadtteile vorsichtig zum städtischen Wert hin ausgleicht. So fallen "
        "kleine Stadtteile nicht nur durch Zufall auf. Große Stadtteile bleiben fast unverändert.",
    ),
    (
        "Falscherkennungsrate",
        "Falscherkennungsrate",
        "Werden viele Stadtteile oder Kennzahlen gleichzeitig geprüft, erscheinen einige Unterschiede allein "
        "durch Zufall als auffällig. Die Falscherkennungsrate ist der Anteil solcher Fehlalarme unter allen "
        "Auffälligkeiten; die Berichte begrenzen sie auf 5 %.",
    ),
    (
        "Hilfen zur Erziehung (HzE)",
        "HzE",
        "Unterstützung des Jugendamts für Familien nach dem Achten Buch Sozialgesetzbuch (SGB VIII, §§ 27 bis 35), "
        "zum Beispiel Erziehungsberatung, sozialpädagogische Familienhilfe oder die Unterbringung in einer "
        "Pflegefamilie oder einem Heim.",
    ),
    (
        "Konfidenzintervall (KI)",
        "Konfidenzintervall",
        "Der Bereich, in dem der wahre Wert mit hoher Wahrscheinlichkeit (95 %) liegt. Je kleiner die Gruppe, "
        "desto breiter das Intervall. Überschneiden sich die Intervalle zweier Stadtteile stark, ist ein "
        "Unterschied nicht gesichert.",
    ),
    (
        "Mehrjahreswert (M)",
        "Mehrjahreswert",
        "Für kleine Stadtteile werden zwei oder drei Jahre zusammengefasst (gepoolt), damit der Wert verlässlicher "
        "wird. Dahinter steht zum Beispiel „2023–2025 zusammengefasst“, in großen Übersichten ein hochgestelltes "
        "„M“. Klammern „( )“ bedeuten dagegen immer nur: Aussagewert eingeschränkt.",
    ),
    (
        "Poolen",
        "Poolen",
        "Zusammenfassen mehrerer Jahre oder Gebiete zu einem Wert, wenn die Fallzahlen einzeln zu klein sind.",
    ),
    (
        "Pp. (Prozentpunkte)",
        "Prozentpunkte",
        "Der Abstand zwischen zwei Prozentwerten. Steigt eine Quote von 10 % auf 12 %, ist das ein Anstieg um "
        "2 Prozentpunkte (aber um 20 Prozent).",
    ),
    (
        "SGB II",
        "SGB-II",
        "Zweites Buch Sozialgesetzbuch: Grundsicherung für Arbeitsuchende (Bürgergeld). Die SGB-II-Quote gibt an, "
        "welcher Anteil der Kinder oder Einwohnerinnen und Einwohner in einer Bedarfsgemeinschaft lebt.",
    ),
    (
        "Sozialraum-Index",
        "Sozialraum-Index",
        "Eine Kennzahl, die mehrere Statusindikatoren (etwa SGB-II-Quote und Arbeitslosigkeit) zusammenfasst, um "
        "Stadtteile mit ähnlicher sozialer Lage zu erkennen. Ein positiver Statusindex bedeutet mehr soziale Belastung "
        "als im Mittel der Stadtteile, ein negativer weniger.",
    ),
    (
        "Trichterdiagramm",
        "Trichterdiagramm",
        "Eine Grafik, die jeden Stadtteil nach Größe und Wert zeigt. Die trichterförmigen Linien markieren, wie "
        "weit ein Wert allein durch Zufall vom städtischen Wert abweichen kann; ein graues Band zeigt die "
        "üblichen Unterschiede zwischen den Stadtteilen. Außerhalb des Trichters und des Bandes: „über (unter) dem "
        "Stadtwert, mehr als Zufall erklärt“; außerhalb des Trichters, aber im Band: „im Rahmen der üblichen "
        "Unterschiede zwischen Stadtteilen“; im Trichter: „im Rahmen des Zufalls“.",
    ),
    (
        "Webb-Gewichte",
        "Webb-Gewichte",
        "Ein technisches Hilfsmittel für verlässliche Unsicherheitsangaben, wenn nur wenige Gebiete verglichen "
        "werden (Wild-Cluster-Bootstrap). Für das Lesen der Berichte genügt: Die angegebenen Intervalle "
        "berücksichtigen die kleine Zahl der Stadtteile.",
    ),
    (
        "z-Wert",
        "z-Wert",
        "Gibt an, um wie viele übliche Abweichungen (Standardabweichungen) ein Stadtteil über oder unter dem "
        "Durchschnitt der Stadtteile liegt. 0 ist der Durchschnitt; Werte über 2 oder unter −2 sind selten.",
    ),
]

#: Where the pages use a term, its first use on a page links to the glossary entry (anchor → regular
#: expressions of the words as they appear in running text; no numbers, so no published value changes).
SURFACES: dict[str, tuple[str, ...]] = {
    "Bedarfsgemeinschaft": (r"Bedarfsgemeinschaft(?:en)?",),
    "Benjamini-Hochberg": (r"Benjamini[-–](?:Hochberg|Yekutieli)(?:-Verfahren)?",),
    "Differenz-von-Differenzen": (r"Differenz-von-Differenzen(?:-Schätzung|-Analyse)?",),
    "Empirischer-Bayes": (r"[Ee]mpirische[nr]? Bayes(?:-Schätzung|-Schätzer|-Werte?)?", r"EB-(?:Wert|Schätz)\w*"),
    "Falscherkennungsrate": (r"Falscherkennungsrate",),
    "Konfidenzintervall": (r"Konfidenzintervall(?:e|en)?",),
    "Mehrjahreswert": (r"Mehrjahreswert(?:e|en)?",),
    "Poolen": (r"gepoolt(?:e|en)?",),
    "Prozentpunkte": (r"Prozentpunkt(?:e|en)?",),
    "Sozialraum-Index": (r"Sozialraum-Index", r"Statusindex"),
    "Trichterdiagramm": (r"Trichterdiagramm(?:e|en)?", r"Funnel-Plots?"),
    "Webb-Gewichte": (r"Webb-Gewichte(?:n)?",),
    "z-Wert": (r"z-Wert(?:e|en)?", r"z-standardisiert\w*"),
}

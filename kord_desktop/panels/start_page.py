"""The training wizard's first page: teach the model your instrument, or train one from folders."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget, QWizardPage

HINT_STYLE = "color: palette(placeholder-text); margin-left: 24px;"
CHOICES = (
    (
        "teach",
        "Teach it your instrument",
        "Play the chords it asks for (a few minutes), then fine-tune the current model on "
        "your recordings and compare it with the model you have. Best when it mishears your "
        "guitar, piano or room.",
    ),
    (
        "train",
        "Train a new model from sample folders",
        "Choose captured, rendered or simulated data, the model and its training options. "
        "For building a model from scratch (advanced).",
    ),
)


STEPS = (
    "<b>How teaching works</b><ol style='margin-left:-20px'>"
    "<li><b>Record</b> — it shows a chord and its notes on the keyboard; you play it, it "
    "records. 40 chords take a few minutes; the chords of your own song work too.</li>"
    "<li><b>Fine-tune</b> — it starts from the model you use now and learns your instrument "
    "in a minute or two, here on your computer.</li>"
    "<li><b>Compare</b> — both models try takes the fine-tune never saw; keep whichever hears "
    "your instrument better. The default model is always one click away.</li></ol>"
)


class StartPage(QWizardPage):
    """Two choices, the musician's first: `choice()` is "teach" (the default) or "train"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Train a chord model")
        self.setSubTitle("What would you like to do?")
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        for key, title, text in CHOICES:
            button = QRadioButton(title)
            bold = button.font()
            bold.setBold(True)
            button.setFont(bold)
            self.group.addButton(button)
            self.buttons[key] = button
            hint = QLabel(text)
            hint.setWordWrap(True)
            hint.setStyleSheet(HINT_STYLE)
            layout.addWidget(button)
            layout.addWidget(hint)
            layout.addSpacing(12)
        steps = QLabel(STEPS)
        steps.setObjectName("steps")
        steps.setWordWrap(True)
        steps.setStyleSheet(
            "QLabel { border: 1px solid palette(mid); border-radius: 6px; padding: 10px 14px; }"
        )
        layout.addWidget(steps)
        layout.addStretch(1)
        self.buttons["teach"].setChecked(True)

    def choice(self) -> str:
        """ "teach" (record and fine-tune) or "train" (the folder-based wizard)."""
        return "train" if self.buttons["train"].isChecked() else "teach"

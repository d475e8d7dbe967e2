"""Print the dialogue's Mermaid state diagram: python -m dialogs.diagram > dialogs/dialogue.mmd"""

from dialogs.engine import mermaid_diagram

if __name__ == "__main__":
    print(mermaid_diagram())

from exam_tui.cli import main

main()

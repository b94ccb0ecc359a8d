from alsoask.cli import main

main()

from tlslint.cli import main

main()

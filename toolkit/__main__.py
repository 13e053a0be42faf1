from pbcfg.cli.entry import main

main()

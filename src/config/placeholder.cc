// placeholder until the config stage lands

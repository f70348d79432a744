// placeholder until the api stage lands

// placeholder until the state stage lands
